import { explain } from '../errors';

export function ErrorBanner({ error, onRetry, testId = 'error' }: { error: unknown; onRetry?: () => void; testId?: string }) {
  if (!error) return null;
  const { title, detail } = explain(error);
  return (
    <div className="banner error" role="alert" data-testid={testId}>
      <div>
        <strong>{title}</strong>
        <p>{detail}</p>
      </div>
      {onRetry && (
        <button className="button ghost" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
