import { useEffect, useState } from 'react';

export type Route = { page: 'home' } | { page: 'owner' } | { page: 'join'; code?: string } | { page: 'bench'; code?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'owner') return { page: 'owner' };
  if (parts[0] === 'join') return parts[1] ? { page: 'join', code: decodeURIComponent(parts[1]) } : { page: 'join' };
  if (parts[0] === 'bench') return parts[1] ? { page: 'bench', code: decodeURIComponent(parts[1]) } : { page: 'bench' };
  return { page: 'home' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function go(hash: string): void {
  window.location.hash = hash;
}
