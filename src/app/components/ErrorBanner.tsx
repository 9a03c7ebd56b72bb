import { explain } from '../errors';

export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const { title, detail } = explain(error);
  return (
    <div className="banner error" role="alert" data-testid="error">
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
