/**
 * What a model call cost: prompt and completion tokens, as the provider reported them in
 * `usage` or, when it reported none, counted with a tokenizer and marked estimated. One
 * answer's usage is journaled and cached with it, so a resumed run still knows what every
 * answer it rests on cost.
 */

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Counted with our tokenizer: the provider reported no `usage`. */
  estimated?: true;
}

/** USD per million prompt and completion tokens, from the config. */
export interface Price {
  prompt: number;
  completion: number;
}

export interface UsageCount {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** A build's (or a grader's) usage: reported and estimated apart, and the cost when priced. */
export interface UsageSummary {
  reported: UsageCount;
  estimated: UsageCount;
  /** USD at the configured price; absent without one. */
  cost?: number;
}

const whole = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;

/** `usage` of an OpenAI-compatible response body, when it has a well-formed one. */
export function reportedUsage(doc: unknown): Usage | undefined {
  const u = (doc as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
  const promptTokens = whole(u?.prompt_tokens);
  const completionTokens = whole(u?.completion_tokens);
  if (promptTokens === undefined || completionTokens === undefined) return undefined;
  return { promptTokens, completionTokens };
}

export const isUsage = (v: unknown): v is Usage => {
  const u = v as Usage | null;
  return whole(u?.promptTokens) !== undefined && whole(u?.completionTokens) !== undefined;
};

export function costOf(u: { promptTokens: number; completionTokens: number }, price: Price): number {
  return (u.promptTokens * price.prompt + u.completionTokens * price.completion) / 1e6;
}

const zero = (): UsageCount => ({ requests: 0, promptTokens: 0, completionTokens: 0 });

/** Adds up usage, reported and estimated apart. */
export class UsageTally {
  private readonly reported = zero();
  private readonly estimated = zero();

  constructor(private readonly price?: Price) {}

  add(u: Usage): void {
    const into = u.estimated ? this.estimated : this.reported;
    into.requests++;
    into.promptTokens += u.promptTokens;
    into.completionTokens += u.completionTokens;
  }

  get requests(): number {
    return this.reported.requests + this.estimated.requests;
  }

  get tokens(): number {
    return (
      this.reported.promptTokens +
      this.reported.completionTokens +
      this.estimated.promptTokens +
      this.estimated.completionTokens
    );
  }

  get cost(): number {
    return this.price ? costOf(totalOf(this.summary()), this.price) : 0;
  }

  summary(): UsageSummary {
    const out: UsageSummary = { reported: { ...this.reported }, estimated: { ...this.estimated } };
    if (this.price) out.cost = costOf(totalOf(out), this.price);
    return out;
  }
}

export function totalOf(s: Pick<UsageSummary, "reported" | "estimated">): UsageCount {
  return {
    requests: s.reported.requests + s.estimated.requests,
    promptTokens: s.reported.promptTokens + s.estimated.promptTokens,
    completionTokens: s.reported.completionTokens + s.estimated.completionTokens,
  };
}

/**
 * The usage of several runs over parts of one build (shards) as one: counts added, the cost
 * computed from the totals as a single run's is (so a merge equals the unsharded run).
 */
export function sumUsage(
  parts: readonly (UsageSummary | undefined)[],
  price?: Price,
): UsageSummary | undefined {
  const present = parts.filter((p): p is UsageSummary => p !== undefined);
  if (present.length === 0) return undefined;
  const add = (k: "reported" | "estimated"): UsageCount => ({
    requests: present.reduce((n, p) => n + p[k].requests, 0),
    promptTokens: present.reduce((n, p) => n + p[k].promptTokens, 0),
    completionTokens: present.reduce((n, p) => n + p[k].completionTokens, 0),
  });
  const out: UsageSummary = { reported: add("reported"), estimated: add("estimated") };
  if (price && present.some((p) => p.cost !== undefined)) out.cost = costOf(totalOf(out), price);
  return out;
}

/** USD for people: cents and up to two decimals, smaller amounts to three significant digits. */
export function formatUsd(v: number): string {
  if (v === 0) return "$0";
  if (v < 1) return `$${Number(v.toPrecision(3))}`;
  return `$${v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
