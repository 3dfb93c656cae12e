import type { StreamEvent } from "../types.js";

/** How a subscription acknowledges the events it delivered, for its backend. */
export interface EventSettler<E> {
  ack(event: E): Promise<void>;
  nack(event: E, delayMs: number): Promise<void>;
}

/**
 * The `ack`/`nack` of a delivered event on every backend: it is settled once, and later calls are
 * no-ops (a handler that acks in a `finally` after a nack does no harm). Each backend's event class
 * extends it with how its fields are read.
 *
 * @example
 * class MyEvent extends SettledOnce<MyEvent> { constructor(settler: EventSettler<MyEvent>) { super(settler); } }
 */
export abstract class SettledOnce<E> implements Pick<StreamEvent, "ack" | "nack"> {
  readonly #settler: EventSettler<E>;
  #settled = false;

  protected constructor(settler: EventSettler<E>) {
    this.#settler = settler;
  }

  ack(): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#settled = true;
    return this.#settler.ack(this as unknown as E);
  }

  nack(options?: { readonly delayMs?: number }): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#settled = true;
    return this.#settler.nack(this as unknown as E, Math.max(0, options?.delayMs ?? 0));
  }
}
