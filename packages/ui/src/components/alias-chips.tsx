import type { ReactNode } from "react";

/**
 * A model's aliases as pills, `production v2`; an alias that follows the newest version says so.
 * @example <AliasChips aliases={[["production", 2], ["latest", 3]]} followLatest={[]} />
 */
export function AliasChips({
  aliases,
  followLatest,
  showVersion = true,
}: {
  aliases: [string, number][];
  followLatest: readonly string[];
  showVersion?: boolean;
}): ReactNode {
  if (aliases.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="aliases">
      {aliases.map(([alias, version]) => {
        const follows = alias === "latest" || followLatest.includes(alias);
        return (
          <li
            key={alias}
            className="alias"
            data-alias={alias}
            data-version={version}
            title={follows ? `${alias} moves to each new version` : undefined}
          >
            <span className="alias-name">{alias}</span>
            {showVersion && <span className="alias-version">v{version}</span>}
            {follows && alias !== "latest" && <span className="sr-only"> (follows the newest version)</span>}
          </li>
        );
      })}
    </ul>
  );
}
