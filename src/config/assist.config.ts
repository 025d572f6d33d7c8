import { IsOptional } from 'class-validator';
import { defineConfig, toBool, toInt } from './define-config';
import { IsBoolString, IsIntString } from './validators';

class AssistEnv {
  @IsOptional() @IsIntString(1) ASSIST_INIT_DEADLINE_MS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_QUERY_DEADLINE_MS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_REPLY_DEADLINE_MS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_RETRIEVAL_DEADLINE_MS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_FIRST_TOKEN_DEADLINE_MS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_BACKGROUND_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_BACKGROUND_MAX?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_SIMILAR_TICKETS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_KB_ARTICLES?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_QUERY_DEFAULT_LIMIT?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_SESSION_MAX_QUESTIONS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_STATE_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsBoolString() ASSIST_PREFETCH_ENABLED?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_PREFETCH_CONCURRENCY?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_PREFETCH_DEADLINE_MS?: string = undefined;
  @IsOptional() @IsIntString(0) ASSIST_PREFETCH_QUIET_MS?: string = undefined;
  @IsOptional() @IsIntString(0) ASSIST_PREFETCH_MAX_DELAY_MS?: string = undefined;
  @IsOptional() @IsIntString(1) ASSIST_PREFETCH_MAX_TICKETS?: string = undefined;
}

export interface AssistSettings {
  /** /init: summary, similar tickets and articles run in parallel under this deadline (budget 2 s). */
  initDeadlineMs: number;
  /** /query and /reply JSON: past this the LLM answer is replaced by the local grounded one (budgets 3 s, 5 s). */
  queryDeadlineMs: number;
  replyDeadlineMs: number;
  /** Retrieval inside /query and /reply; a slower search yields an answer with fewer sources, flagged partial. */
  retrievalDeadlineMs: number;
  /** SSE: if the model sends nothing by then, the local composer streams instead. */
  firstTokenDeadlineMs: number;
  /** An LLM call that outlived its request keeps filling the cache for at most this long. */
  backgroundTimeoutMs: number;
  /** Background cache fills (late answers, LLM summaries) in flight per instance; more are dropped. */
  backgroundMax: number;
  similarTickets: number;
  kbArticles: number;
  queryDefaultLimit: number;
  /** Recent turns (question and answer) kept in a session. */
  sessionMaxQuestions: number;
  /**
   * Bound on every session and preferences database call; past it the request answers without the session
   * (`degraded: ["session"]`) or the draft without the preferences.
   */
  stateTimeoutMs: number;
  /** Build /init bundles when tickets are indexed, so agents opening them hit the cache. */
  prefetchEnabled: boolean;
  prefetchConcurrency: number;
  /** Prefetch is off the request path: it waits longer for each part, so the bundle it caches is complete. */
  prefetchDeadlineMs: number;
  /**
   * Prefetch is coalesced per company: it starts once no chunk of the company has been indexed for `quietMs`
   * (or `maxDelayMs` after the first one waiting), because every indexed chunk drops the company's bundles and
   * a bundle built between two chunks of a bulk ingest would be thrown away by the next.
   */
  prefetchQuietMs: number;
  prefetchMaxDelayMs: number;
  /** The most recently indexed tickets per company and flush; older ones are built on their first /init. */
  prefetchMaxTickets: number;
}

export const assistConfig = defineConfig<AssistEnv, AssistSettings>('assist', AssistEnv, (env) => ({
  initDeadlineMs: toInt(env.ASSIST_INIT_DEADLINE_MS, 1_500),
  // Budgets from the seed: /query 3 s, /reply 5 s; the deadlines leave room for the fallback and the response.
  queryDeadlineMs: toInt(env.ASSIST_QUERY_DEADLINE_MS, 2_500),
  replyDeadlineMs: toInt(env.ASSIST_REPLY_DEADLINE_MS, 4_500),
  retrievalDeadlineMs: toInt(env.ASSIST_RETRIEVAL_DEADLINE_MS, 1_000),
  firstTokenDeadlineMs: toInt(env.ASSIST_FIRST_TOKEN_DEADLINE_MS, 2_000),
  backgroundTimeoutMs: toInt(env.ASSIST_BACKGROUND_TIMEOUT_MS, 60_000),
  backgroundMax: toInt(env.ASSIST_BACKGROUND_MAX, 64),
  similarTickets: toInt(env.ASSIST_SIMILAR_TICKETS, 5),
  kbArticles: toInt(env.ASSIST_KB_ARTICLES, 3),
  queryDefaultLimit: toInt(env.ASSIST_QUERY_DEFAULT_LIMIT, 5),
  sessionMaxQuestions: toInt(env.ASSIST_SESSION_MAX_QUESTIONS, 20),
  stateTimeoutMs: toInt(env.ASSIST_STATE_TIMEOUT_MS, 1_000),
  prefetchEnabled: toBool(env.ASSIST_PREFETCH_ENABLED, true),
  prefetchConcurrency: toInt(env.ASSIST_PREFETCH_CONCURRENCY, 4),
  prefetchDeadlineMs: toInt(env.ASSIST_PREFETCH_DEADLINE_MS, 15_000),
  prefetchQuietMs: toInt(env.ASSIST_PREFETCH_QUIET_MS, 1_000),
  prefetchMaxDelayMs: toInt(env.ASSIST_PREFETCH_MAX_DELAY_MS, 10_000),
  prefetchMaxTickets: toInt(env.ASSIST_PREFETCH_MAX_TICKETS, 1_000),
}));
