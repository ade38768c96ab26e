import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes that make runs filterable in the Web UI. Registered by `flywheel dev` and the tests.
export const FlywheelKind = defineSearchAttributeKey('FlywheelKind', SearchAttributeType.KEYWORD);
export const FlywheelStatus = defineSearchAttributeKey('FlywheelStatus', SearchAttributeType.KEYWORD);
export const FlywheelScore = defineSearchAttributeKey('FlywheelScore', SearchAttributeType.DOUBLE);
export const FlywheelProducer = defineSearchAttributeKey('FlywheelProducer', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [FlywheelKind, FlywheelStatus, FlywheelScore, FlywheelProducer];
