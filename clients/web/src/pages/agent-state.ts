// What an agent's state and capacity mean to an administrator: state labels and colours, the
// capacity the scheduler counts (an override when set, else what the agent reported), and
// where a workspace image stands on an agent. Shared by the agents list and the agent page.
import { AgentState, ImageState } from "@hotdesk/client";
import type { Agent, Capacity, ImageStatus } from "@hotdesk/client";
import { enumName, humanize } from "../ui/common";
import type { Tone } from "../ui/common";

/** "Online", "Pending", "Unreachable", "Lost". */
export function agentStateLabel(state: AgentState): string {
  if (state === AgentState.UNSPECIFIED) return "Unknown";
  return humanize(enumName(AgentState, state));
}

/** The badge colour of an agent state. */
export function agentStateTone(state: AgentState): Tone {
  switch (state) {
    case AgentState.ONLINE:
      return "ok";
    case AgentState.UNREACHABLE:
      return "warn";
    case AgentState.LOST:
      return "bad";
    default:
      return "idle";
  }
}

/** One sentence on what the state means. */
export function agentStateHint(state: AgentState): string {
  switch (state) {
    case AgentState.PENDING:
      return "Enrolled, but it has not checked in yet.";
    case AgentState.ONLINE:
      return "Checking in on time.";
    case AgentState.UNREACHABLE:
      return "Missed several check-ins: its sessions are kept, but it gets no new ones.";
    case AgentState.LOST:
      return "Unreachable for too long: its sessions were marked lost.";
    default:
      return "";
  }
}

/** The states an administrator can filter by, in order. */
export const AGENT_STATES: AgentState[] = [AgentState.ONLINE, AgentState.PENDING, AgentState.UNREACHABLE, AgentState.LOST];

export interface Effective {
  /** What the scheduler counts. */
  total: number;
  /** What the agent reported. */
  reported: number;
  /** The override (0: none). */
  override: number;
  used: number;
  overridden: boolean;
}

type Resource = "cores" | "memoryMb" | "gpus";

function num(c: Capacity | undefined, r: Resource): number {
  if (!c) return 0;
  return Number(c[r]);
}

/** A resource of an agent: used, reported, override and the effective total. */
export function effective(a: Agent, r: Resource): Effective {
  const reported = num(a.reported, r);
  const override = num(a.overrides, r);
  const overridden = override > 0;
  return { total: overridden ? override : reported, reported, override, used: num(a.used, r), overridden };
}

/** "1.5", "8", "0.25": at most two decimals. */
export function fmtNumber(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** MiB as GiB: "23.5", "2", "0.5". */
export function gib(mb: number): string {
  return String(Math.round((mb / 1024) * 10) / 10);
}

/** "Present", "Pulling", "Failed", … */
export function imageStateLabel(s: ImageState): string {
  if (s === ImageState.UNSPECIFIED) return "Unknown";
  return humanize(enumName(ImageState, s));
}

export function imageStateTone(s: ImageState): Tone {
  switch (s) {
    case ImageState.PRESENT:
      return "ok";
    case ImageState.PULLING:
    case ImageState.QUEUED:
      return "warn";
    case ImageState.FAILED:
      return "bad";
    case ImageState.ABSENT: // no registry: someone must load it by hand
      return "warn";
    default:
      return "idle";
  }
}

/** "120 MB", "1.4 GB". */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`;
}

/** How far a pull is: "3 of 7 layers, 120 MB of 500 MB"; "" when there is nothing to say. */
export function pullProgress(s: ImageStatus): string {
  if (s.state !== ImageState.PULLING) return "";
  const parts: string[] = [];
  if (s.layersTotal > 0) parts.push(`${s.layersDone} of ${s.layersTotal} layers`);
  const done = Number(s.bytesDone);
  const total = Number(s.bytesTotal);
  if (total > 0) parts.push(`${bytes(done)} of ${bytes(total)}`);
  else if (done > 0) parts.push(bytes(done));
  return parts.join(", ") || "Starting…";
}
