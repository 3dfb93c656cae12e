import type { CSSProperties, ReactNode } from "react";

/** The CSS colour token of a state, matching the original orchestrator's palette. */
export function stateColor(state: string): string {
  return `var(--state-${state.toLowerCase()}, var(--state-pending))`;
}

/**
 * A run's state as a coloured pill with its name (colour is never the only signal).
 * @example <StateBadge state="Completed" />
 */
export function StateBadge({ state, title }: { state: string; title?: string | null }): ReactNode {
  return (
    <span
      className="badge"
      data-state={state}
      style={{ "--c": stateColor(state) } as CSSProperties}
      title={title ?? undefined}
    >
      <span className="badge-dot" aria-hidden="true" />
      {state}
    </span>
  );
}
