import { createRoot } from 'react-dom/client';
import { browserRuntime } from '../adapters/browser';
import { App } from './App';
import './styles.css';

// The browser entry point: the only place that picks the browser runtime.
createRoot(document.getElementById('root')!).render(<App runtime={browserRuntime} hubUrl={window.location.origin} />);
