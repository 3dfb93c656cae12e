import type { ReactNode } from "react";
import { useSyncExternalStore } from "react";

import type { TimeZoneChoice } from "../format.js";
import { setTimeZoneChoice, subscribeTimeZone, timeZoneChoice, timeZoneName } from "../format.js";

/** The time zone times are shown in; the component re-renders when it changes. */
export function useTimeZone(): TimeZoneChoice {
  return useSyncExternalStore(subscribeTimeZone, timeZoneChoice);
}

/** The top bar's switch between local time and UTC, naming the zone times are shown in. */
export function TimeZoneToggle(): ReactNode {
  const zone = useTimeZone();
  const other = zone === "utc" ? "local time" : "UTC";
  return (
    <button
      type="button"
      className="zone-toggle"
      data-zone={zone}
      title={`Times are shown in ${timeZoneName()}. Click to show them in ${other}.`}
      onClick={() => setTimeZoneChoice(zone === "utc" ? "local" : "utc")}
    >
      <span className="sr-only">Times in </span>
      {zone === "utc" ? "UTC" : `Local · ${timeZoneName()}`}
    </button>
  );
}
