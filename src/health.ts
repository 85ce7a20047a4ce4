export type ComponentState = 'up' | 'down';
export type ChannelState = ComponentState | 'off';

/** What GET /healthz answers; `ok` is true when everything configured is up. */
export interface HealthReport {
  ok: boolean;
  mongodb: ComponentState;
  agenda: ComponentState;
  channels: { telegram: ChannelState; zalo: ChannelState };
}

export function summarizeHealth(parts: Omit<HealthReport, 'ok'>): HealthReport {
  const ok =
    parts.mongodb === 'up' &&
    parts.agenda === 'up' &&
    Object.values(parts.channels).every((state) => state !== 'down');
  return { ok, ...parts };
}
