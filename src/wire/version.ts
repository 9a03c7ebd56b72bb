// Protocol versions are "major.minor". Peers and hub must share the major; a minor bump
// only adds optional fields, which protobuf already tolerates.
export const PROTOCOL_VERSION = '1.0';
export const APP_VERSION = '0.1.0';

export function majorOf(version: string): number | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version);
  return m ? Number(m[1]) : undefined;
}

export function isCompatible(theirs: string, ours: string = PROTOCOL_VERSION): boolean {
  const a = majorOf(theirs);
  return a !== undefined && a === majorOf(ours);
}
