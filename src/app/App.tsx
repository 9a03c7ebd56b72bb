import { lazy, Suspense, type ReactNode } from 'react';
import type { SessionRuntime } from '../duet/session';
import { Header } from './components/Header';
import { Home } from './pages/Home';
import { useRoute } from './route';

// Each tab loads only its own page: the scientist's notebook (editor, charts) and the owner's
// panels are large, and the landing page needs neither.
const Owner = lazy(() => import('./pages/Owner').then((m) => ({ default: m.Owner })));
const Join = lazy(() => import('./pages/Join').then((m) => ({ default: m.Join })));
const BenchPage = lazy(() => import('./bench/BenchPage').then((m) => ({ default: m.BenchPage })));

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<main className="loading-page" aria-busy="true">Loading…</main>}>{children}</Suspense>;
}

export function App({ runtime, hubUrl }: { runtime: SessionRuntime; hubUrl: string }) {
  const route = useRoute();
  switch (route.page) {
    case 'owner':
      return (
        <>
          <Header role="Data owner" />
          <Page>
            <Owner runtime={runtime} hubUrl={hubUrl} />
          </Page>
        </>
      );
    case 'join':
      return (
        <>
          <Header role="Data scientist" />
          <Page>
            <Join key={route.code ?? ''} runtime={runtime} hubUrl={hubUrl} {...(route.code ? { initialCode: route.code } : {})} />
          </Page>
        </>
      );
    case 'bench':
      return (
        <>
          <Header role="Benchmark" />
          <Page>
            <BenchPage key={route.code ?? ''} runtime={runtime} hubUrl={hubUrl} {...(route.code ? { code: route.code } : {})} />
          </Page>
        </>
      );
    default:
      return (
        <>
          <Header />
          <Home />
        </>
      );
  }
}
