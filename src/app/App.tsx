import type { SessionRuntime } from '../duet/session';
import { Header } from './components/Header';
import { Home } from './pages/Home';
import { Join } from './pages/Join';
import { Owner } from './pages/Owner';
import { BenchPage } from './bench/BenchPage';
import { useRoute } from './route';

export function App({ runtime, hubUrl }: { runtime: SessionRuntime; hubUrl: string }) {
  const route = useRoute();
  switch (route.page) {
    case 'owner':
      return (
        <>
          <Header role="Data owner" />
          <Owner runtime={runtime} hubUrl={hubUrl} />
        </>
      );
    case 'join':
      return (
        <>
          <Header role="Data scientist" />
          <Join key={route.code ?? ''} runtime={runtime} hubUrl={hubUrl} {...(route.code ? { initialCode: route.code } : {})} />
        </>
      );
    case 'bench':
      return (
        <>
          <Header role="Benchmark" />
          <BenchPage key={route.code ?? ''} runtime={runtime} hubUrl={hubUrl} {...(route.code ? { code: route.code } : {})} />
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
