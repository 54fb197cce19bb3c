/**
 * `runner.budget`: a cap on one build's requests, tokens or cost. A request is sent only
 * if the cap holds even when it, and every request still in flight, takes its worst case
 * (its prompt, and the most completion tokens it may get); an answer's real usage then
 * takes the place of its worst case. Answers reused from the journal or the cache count
 * too: the cap is on everything the build's results rest on, so a re-run with a higher cap
 * asks exactly the cases the lower one left unanswered.
 */
import type { BudgetConfig } from "../config/targets.js";
import { costOf, formatUsd, type Price, type Usage, type UsageTally } from "../targets/usage.js";

/** Why a build's run stopped short, and what was left. */
export interface BudgetStop {
  /** e.g. "budget reached: 9,870 of 10,000 tokens; 65 of 130 cases unanswered; …". */
  reason: string;
  /** Case ids with a sample that was never asked. */
  unanswered: string[];
  cases: number;
}

interface Worst {
  tokens: number;
  cost: number;
}

const fmt = (n: number) => n.toLocaleString("en-US");

export class Budget {
  private inFlight = { requests: 0, tokens: 0, cost: 0 };
  /** The cap the last refused request would have crossed. */
  private hit: "tokens" | "requests" | "cost" | undefined;

  constructor(
    private readonly caps: BudgetConfig,
    /** Usage of every answer so far (reused ones included). */
    private readonly spent: UsageTally,
    private readonly price?: Price,
  ) {}

  /** Whether the caps on tokens or cost need each request's worst case in tokens. */
  static countsTokens(caps: BudgetConfig | undefined): boolean {
    return caps?.tokens !== undefined || caps?.cost !== undefined;
  }

  worst(promptTokens: number, completionTokens: number): Worst {
    const u = { promptTokens, completionTokens };
    return { tokens: promptTokens + completionTokens, cost: this.price ? costOf(u, this.price) : 0 };
  }

  /** Reserves one request at its worst case; false when that could cross a cap. */
  reserve(w: Worst): boolean {
    const { caps, spent, inFlight } = this;
    if (caps.requests !== undefined && spent.requests + inFlight.requests + 1 > caps.requests) {
      this.hit = "requests";
      return false;
    }
    if (caps.tokens !== undefined && spent.tokens + inFlight.tokens + w.tokens > caps.tokens) {
      this.hit = "tokens";
      return false;
    }
    // A float sum of prices: a hair of rounding must not refuse a request that fits.
    if (caps.cost !== undefined && spent.cost + inFlight.cost + w.cost > caps.cost * (1 + 1e-12)) {
      this.hit = "cost";
      return false;
    }
    inFlight.requests++;
    inFlight.tokens += w.tokens;
    inFlight.cost += w.cost;
    return true;
  }

  /** An answer had before any request is sent (journal, cache). */
  spend(usage: Usage): void {
    this.spent.add(usage);
  }

  /** The request is over: its worst case is released; its usage, if any, counts from now on. */
  settle(w: Worst, usage: Usage | undefined): void {
    this.inFlight.requests--;
    this.inFlight.tokens -= w.tokens;
    this.inFlight.cost -= w.cost;
    if (usage) this.spent.add(usage);
  }

  get busy(): boolean {
    return this.inFlight.requests > 0;
  }

  stop(label: string, unanswered: string[], cases: number): BudgetStop {
    const { caps, spent } = this;
    const which = this.hit ?? "requests";
    const used =
      which === "tokens"
        ? `${fmt(spent.tokens)} of ${fmt(caps.tokens ?? 0)} tokens`
        : which === "cost"
          ? `${formatUsd(spent.cost)} of ${formatUsd(caps.cost ?? 0)}`
          : `${fmt(spent.requests)} of ${fmt(caps.requests ?? 0)} requests`;
    return {
      reason: `${label}: budget reached: ${used}; ${fmt(unanswered.length)} of ${fmt(cases)} cases unanswered; raise runner.budget.${which} and run again with the same --out (only the unanswered cases are asked)`,
      unanswered,
      cases,
    };
  }
}
