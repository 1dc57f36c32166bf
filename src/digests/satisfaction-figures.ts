// Buyers' satisfaction in a merchant's period (issue 22): the ratings of cases asked about in it, by
// how the case ended and by whether a person handled it, so the digest shows what automation costs
// or gains in satisfaction (the M30 trade-off made visible). Pure: tested against fixtures.

export interface PeriodRating {
  outcome: string;
  handledBy: string;
  /** Null while unanswered. */
  score: number | null;
}

export interface RatingGroup {
  rated: number;
  /** Mean score, two decimals; null with no rating. */
  average: number | null;
}

export interface SatisfactionFigures {
  /** Cases asked about (with a chat to ask in) and how many answered. */
  asked: number;
  rated: number;
  average: number | null;
  byOutcome: Array<{ outcome: string } & RatingGroup>;
  byHandling: { automated: RatingGroup; human: RatingGroup };
}

export const CASE_OUTCOMES = ['refunded', 'refused', 'guide_solved', 'agent_resolved'] as const;

function group(scores: number[]): RatingGroup {
  return {
    rated: scores.length,
    average: scores.length ? Math.round((scores.reduce((s, x) => s + x, 0) / scores.length) * 100) / 100 : null,
  };
}

export function satisfactionOf(ratings: PeriodRating[]): SatisfactionFigures {
  const rated = ratings.filter((r): r is PeriodRating & { score: number } => r.score !== null);
  const scoresOf = (pick: (r: PeriodRating) => boolean) => rated.filter(pick).map((r) => r.score);
  return {
    asked: ratings.length,
    ...group(rated.map((r) => r.score)),
    byOutcome: CASE_OUTCOMES.map((outcome) => ({ outcome, ...group(scoresOf((r) => r.outcome === outcome)) })).filter((g) =>
      ratings.some((r) => r.outcome === g.outcome),
    ),
    byHandling: { automated: group(scoresOf((r) => r.handledBy === 'automated')), human: group(scoresOf((r) => r.handledBy === 'human')) },
  };
}
