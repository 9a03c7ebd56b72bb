import { useEffect, useReducer, useState } from 'react';
import { DataOwner, type ActivityEntry } from '../duet/owner';
import { DataScientist } from '../duet/scientist';
import { createTransfers } from '../duet/create-transfers';
import type { Session } from '../duet/session';
import { Store } from '../duet/store';
import { Transfers } from '../duet/transfers';

// The data-science objects of a tab, made once its session exists, and a version number that
// changes whenever what they show changes (React re-renders on it).

// Transfers attach to each control channel as it opens, so they are made with the session,
// before any data is loaded: a channel that opened earlier would be missed. All three paths,
// with the negotiator choosing path and codec per value; the runtime supplies the codecs.
function useTransfers(session: Session | undefined): Transfers | undefined {
  const [transfers, setTransfers] = useState<Transfers>();
  useEffect(() => setTransfers(session ? createTransfers(session, session.runtime.createCodecs?.()).transfers : undefined), [session]);
  return transfers;
}

/**
 * The owner, serving from the moment the session exists (with whatever the store holds then):
 * a scientist who joins while data is still loading sees the listing grow, never a missing method.
 */
export function useOwner(session: Session | undefined, onActivity: (a: ActivityEntry) => void): { owner: DataOwner | undefined; version: number } {
  const [owner, setOwner] = useState<DataOwner>();
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const transfers = useTransfers(session);
  useEffect(() => {
    if (!session || !transfers) return;
    const o = new DataOwner(session, transfers, { store: new Store() });
    const offs = [o.on('change', bump), o.on('transfer', bump), o.on('activity', onActivity)];
    // A scientist already here gets their budgets at once, so both tabs show them.
    const notePeers = () => {
      for (const p of session.peers) if (p.state === 'connected') o.noteScientist(p.id);
    };
    offs.push(session.on('peers', notePeers));
    notePeers();
    setOwner(o);
    return () => {
      for (const off of offs) off();
      o.close();
    };
    // onActivity is stable (useCallback in the page)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session, transfers]);
  return { owner, version };
}

export function useScientist(session: Session | undefined): { duet: DataScientist | undefined; version: number } {
  const [duet, setDuet] = useState<DataScientist>();
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const transfers = useTransfers(session);
  useEffect(() => {
    if (!session || !transfers) return;
    const d = new DataScientist(session, transfers);
    const offs = [d.on('request', bump), d.on('budgets', bump), d.on('store', bump), d.on('transfer', bump)];
    // Listing and budgets as soon as the owner is reachable, and again after reconnects.
    const refresh = (s: string) => {
      if (s === 'connected') {
        void d.store.list().catch(() => undefined);
        void d.budgets().catch(() => undefined);
      }
    };
    offs.push(session.on('state', refresh));
    refresh(session.state);
    setDuet(d);
    return () => {
      for (const off of offs) off();
    };
  }, [session, transfers]);
  return { duet, version };
}
