// Where a review keeps its files, relative to the data folder. Pure strings (the workflow may import this).
// Working files are stage files under `work/<id>/review/` (written by stage workers); `outputs/` is written
// only by litPublish, on the audit queue.

export const slug = (index: number) => `p${String(index).padStart(4, '0')}`;

export const reviewRel = (id: string) => `work/${id}/review`;
export const inputRel = (id: string) => `${reviewRel(id)}/input.json`;
export const planRel = (id: string) => `${reviewRel(id)}/plan.json`;
export const retrieveCacheRel = (id: string, source: string, n: number) =>
  `${reviewRel(id)}/retrieve/${source}-${n}.json`;
export const retrieveRel = (id: string) => `${reviewRel(id)}/retrieve.json`;
export const candidatesRel = (id: string) => `${reviewRel(id)}/candidates.json`;
export const paperRel = (id: string, index: number) => `${reviewRel(id)}/papers/${slug(index)}.json`;
export const scoreRel = (id: string, index: number, persona: string) =>
  `${reviewRel(id)}/scores/${slug(index)}/${persona}.json`;
export const curationLogRel = (id: string) => `${reviewRel(id)}/curation.jsonl`;
export const extractRel = (id: string, index: number) => `${reviewRel(id)}/extracts/${slug(index)}.json`;
export const organiseRel = (id: string) => `${reviewRel(id)}/organise.json`;
export const sectionRel = (id: string, n: number) =>
  `${reviewRel(id)}/sections/${String(n).padStart(2, '0')}.md`;
export const bodyRel = (id: string, round: number) => `${reviewRel(id)}/body.r${round}.md`;
export const feedbackRel = (id: string, round: number) => `${reviewRel(id)}/feedback.r${round}.md`;
export const reviewScoresRel = (id: string, round: number) => `${reviewRel(id)}/review.r${round}.json`;
export const draftRel = (id: string, round: number) => `${reviewRel(id)}/draft.r${round}.md`;
export const outputRels = (id: string) => ({
  md: `outputs/${id}.md`,
  bib: `outputs/${id}.bib`,
  csv: `outputs/${id}.curation.csv`,
  curationLog: `outputs/${id}.curation.jsonl`,
});
