/**
 * Masks what could be a credential or smuggled data before a text is logged: API keys and tokens, bearer
 * credentials, long opaque strings, and the values of URL query parameters. Then truncates.
 */
const SECRET_PATTERNS: RegExp[] = [
  /\b(?:sk|pk|rk)-[a-z0-9_-]{8,}/gi,
  /\bgh[pousr]_[a-z0-9]{16,}/gi,
  /\bgithub_pat_[a-z0-9_]{16,}/gi,
  /\bxox[abprs]-[a-z0-9-]{8,}/gi,
  /\bakia[0-9a-z]{16}\b/gi,
  /\beyj[a-z0-9_-]{8,}\.[a-z0-9_-]{8,}\.[a-z0-9_-]{8,}/gi,
  /\b(bearer|basic|token)(\s+)[a-z0-9._~+/=-]{12,}/gi,
  /\b(api[_-]?key|apikey|password|passwd|secret|token)(\s?[:=]\s?)\S+/gi,
  /[a-z0-9+_-]{32,}={0,2}/gi,
];

export function redactForLog(text: string, max = 120): string {
  let s = text;
  for (const re of SECRET_PATTERNS) {
    s = s.replace(re, (_m, label?: string, sep?: string) =>
      typeof label === 'string' && typeof sep === 'string' ? `${label}${sep}[redacted]` : '[redacted]',
    );
  }
  // Query values of URLs: `?d=SECRET&x=1` → `?d=…&x=…`.
  s = s.replace(/([?&][^=&\s#)"']{1,40})=[^&\s#)"']+/g, '$1=…');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
