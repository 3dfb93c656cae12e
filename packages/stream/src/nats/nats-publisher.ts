import type { ApiError, Msg, MsgHdrs, NatsConnection, NatsError, Subscription } from "nats";
import { createInbox, ErrorCode, NatsError as NatsErrorClass } from "nats";

/** What JetStream answers to a stored publish. */
export interface StoredAck {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

interface Waiting {
  readonly resolve: (ack: StoredAck) => void;
  readonly reject: (error: unknown) => void;
  readonly deadline: number;
}

/** How often unanswered publishes are checked against their deadline. */
const SWEEP_MS = 250;

const decoder = new TextDecoder();

/**
 * Publishes to JetStream with pipelined acks: every publish carries a reply subject under one inbox
 * that this publisher subscribes to once, and one timer sweeps the deadlines. nats.js's `js.publish()`
 * makes a full request per call instead (a timer, a race of two promises and up to three captured
 * stack traces), which costs more CPU than the publish itself. Errors keep nats.js's shape (`code`,
 * `api_error`) so that the stream translates both alike.
 */
export class JetStreamPublisher {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #waiting = new Map<number, Waiting>();
  readonly #subscription: Subscription;
  #next = 0;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
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

  publish(subject: string, data: Uint8Array, headers: MsgHdrs, timeoutMs: number): Promise<StoredAck> {
    return new Promise<StoredAck>((resolve, reject) => {
      if (this.#closed) {
        reject(NatsErrorClass.errorForCode(ErrorCode.ConnectionClosed));
        return;
      }
      const token = ++this.#next;
      // Throws synchronously (e.g. a closed connection) before anything is sent.
      this.#nc.publish(subject, data, { reply: this.#prefix + token, headers });
      this.#waiting.set(token, { resolve, reject, deadline: Date.now() + timeoutMs });
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
    this.#fail(() => NatsErrorClass.errorForCode(ErrorCode.ConnectionClosed));
    this.#subscription.unsubscribe();
  }

  #answer(error: NatsError | null, msg: Msg): void {
    if (error) {
      this.#fail(() => error);
      return;
    }
    const token = Number(msg.subject.slice(this.#prefix.length));
    const waiting = this.#waiting.get(token);
    // An answer after the deadline: its publish was already reported as timed out.
    if (!waiting) return;
    this.#forget(token);
    try {
      waiting.resolve(parseAnswer(msg));
    } catch (reason) {
      waiting.reject(reason);
    }
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
        waiting.reject(NatsErrorClass.errorForCode(ErrorCode.Timeout));
      }
  }

  #fail(error: () => unknown): void {
    for (const [token, waiting] of this.#waiting) {
      this.#forget(token);
      waiting.reject(error());
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
      ? NatsErrorClass.errorForCode(ErrorCode.NoResponders)
      : new NatsErrorClass(msg.headers?.description || "empty JetStream answer", String(code));
  }
  const answer = JSON.parse(decoder.decode(data)) as {
    stream?: string;
    seq?: number;
    duplicate?: boolean;
    error?: ApiError;
  };
  if (answer.error) {
    const error = new NatsErrorClass(answer.error.description, String(answer.error.code));
    error.api_error = answer.error;
    throw error;
  }
  if (!answer.stream || typeof answer.seq !== "number")
    throw NatsErrorClass.errorForCode(ErrorCode.JetStreamInvalidAck);
  return { stream: answer.stream, seq: answer.seq, duplicate: answer.duplicate === true };
}
