import { JetStreamApiError, JetStreamError } from "@nats-io/jetstream";
import type { ApiError } from "@nats-io/jetstream";
import { createInbox, errors } from "@nats-io/transport-node";
import type { Msg, MsgHdrs, NatsConnection, Subscription } from "@nats-io/transport-node";

/** What JetStream answers to a stored publish. */
export interface StoredAck {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

/** One publish: what its answer is turned into needs (besides the answer). */
export interface PublishRequest {
  readonly topic: string;
  /** The event's id. */
  readonly id: string;
  readonly timeoutMs: number;
}

/** How a publisher turns JetStream's answers into what its publishes resolve with. */
export interface PublishAnswers<T> {
  /** The event is stored. */
  stored(ack: StoredAck, request: PublishRequest): T | Promise<T>;
  /** The publish failed with the client's error (`JetStreamApiError`, `TimeoutError`…): a rejected promise. */
  failed(error: unknown, request: PublishRequest): Promise<T>;
}

/** A publish waiting for its answer (one object per publish: the request and how to settle it). */
class Waiting implements PublishRequest {
  constructor(
    readonly topic: string,
    readonly id: string,
    readonly timeoutMs: number,
    readonly deadline: number,
    readonly resolve: (value: unknown) => void,
  ) {}
}

/** How often unanswered publishes are checked against their deadline. */
const SWEEP_MS = 250;

const decoder = new TextDecoder();

/**
 * Publishes to JetStream with pipelined acks: every publish carries a reply subject under one inbox
 * that this publisher subscribes to once, and one timer sweeps the deadlines. The client's
 * `js.publish()` makes a full request per call instead (a timer, a race of two promises, a token in
 * the shared request inbox), which costs more CPU than the publish itself. A publish is one promise,
 * settled with what `answers` make of JetStream's answer or of the client's error.
 */
export class JetStreamPublisher<T> {
  readonly #nc: NatsConnection;
  readonly #answers: PublishAnswers<T>;
  readonly #prefix: string;
  readonly #waiting = new Map<number, Waiting>();
  readonly #subscription: Subscription;
  #next = 0;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(nc: NatsConnection, answers: PublishAnswers<T>) {
    this.#nc = nc;
    this.#answers = answers;
    const inbox = createInbox();
    this.#prefix = `${inbox}.`;
    this.#subscription = nc.subscribe(`${inbox}.*`, {
      callback: (error, msg) => this.#answer(error, msg),
    });
  }

  /** Publishes that were sent and not yet answered. */
  get inFlight(): number {
    return this.#waiting.size;
  }

  publish(
    subject: string,
    data: Uint8Array,
    headers: MsgHdrs,
    topic: string,
    id: string,
    timeoutMs: number,
  ): Promise<T> {
    return new Promise<T>((resolve) => {
      const waiting = new Waiting(
        topic,
        id,
        timeoutMs,
        Date.now() + timeoutMs,
        resolve as (value: unknown) => void,
      );
      if (this.#closed) {
        resolve(this.#answers.failed(new errors.ClosedConnectionError(), waiting));
        return;
      }
      const token = ++this.#next;
      try {
        this.#nc.publish(subject, data, { reply: this.#prefix + token, headers });
      } catch (error) {
        // Nothing was sent (a closed connection, a payload over max_payload…).
        resolve(this.#answers.failed(error, waiting));
        return;
      }
      this.#waiting.set(token, waiting);
      this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_MS);
    });
  }

  /** Waits until every publish was answered, for at most `graceMs`. */
  async settle(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.#waiting.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Fails what is still unanswered and stops listening. */
  close(): void {
    this.#closed = true;
    this.#fail(() => new errors.ClosedConnectionError());
    this.#subscription.unsubscribe();
  }

  #answer(error: Error | null, msg: Msg): void {
    if (error) {
      this.#fail(() => error);
      return;
    }
    const token = Number(msg.subject.slice(this.#prefix.length));
    const waiting = this.#waiting.get(token);
    // An answer after the deadline: its publish was already reported as timed out.
    if (!waiting) return;
    this.#forget(token);
    let result: T | Promise<T>;
    try {
      result = this.#answers.stored(parseAnswer(msg), waiting);
    } catch (reason) {
      result = this.#answers.failed(reason, waiting);
    }
    waiting.resolve(result);
  }

  #forget(token: number): void {
    this.#waiting.delete(token);
    if (this.#waiting.size === 0 && this.#sweeper !== undefined) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const [token, waiting] of this.#waiting)
      if (waiting.deadline <= now) {
        this.#forget(token);
        waiting.resolve(this.#answers.failed(new errors.TimeoutError(), waiting));
      }
  }

  #fail(error: () => unknown): void {
    for (const [token, waiting] of this.#waiting) {
      this.#forget(token);
      waiting.resolve(this.#answers.failed(error(), waiting));
    }
  }
}

/** A PubAck (`{"stream":…,"seq":…}`), or the error the answer stands for. */
function parseAnswer(msg: Msg): StoredAck {
  const data = msg.data;
  // A status without a body: 503 means no stream listens on the subject (or it has no leader yet).
  if (data.length === 0) {
    const code = msg.headers?.code ?? 0;
    throw code === 503
      ? new errors.NoRespondersError(msg.subject)
      : new JetStreamError(`${msg.headers?.description || "empty JetStream answer"} (status ${code})`);
  }
  const answer = JSON.parse(decoder.decode(data)) as {
    stream?: string;
    seq?: number;
    duplicate?: boolean;
    error?: ApiError;
  };
  if (answer.error) throw new JetStreamApiError(answer.error);
  if (!answer.stream || typeof answer.seq !== "number")
    throw new JetStreamError("JetStream answered a publish without its stream and sequence");
  return { stream: answer.stream, seq: answer.seq, duplicate: answer.duplicate === true };
}
