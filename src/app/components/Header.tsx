export function Header({ role }: { role?: string }) {
  return (
    <header className="topbar">
      <a className="brand" href="#/">
        <span className="logo" aria-hidden="true">
          <span />
          <span />
        </span>
        Duet
      </a>
      {role && <span className="role-chip">{role}</span>}
      <span className="tagline">Private remote data science, in two browser tabs</span>
    </header>
  );
}
