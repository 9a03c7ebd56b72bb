import { go } from '../route';

export function Home() {
  return (
    <main className="home">
      <section className="hero">
        <h1>Study data you cannot see.</h1>
        <p>
          The data owner keeps the data in their browser tab. The data scientist works on pointers to it, from another tab, anywhere. Nothing
          leaves the owner's tab unless they approve it.
        </p>
      </section>
      <div className="choices">
        <button className="choice" data-testid="start-owner" onClick={() => go('#/owner')}>
          <span className="choice-icon owner" aria-hidden="true">⬢</span>
          <strong>Share data</strong>
          <span>I own the data. Start a session and give the scientist a code.</span>
        </button>
        <button className="choice" data-testid="start-join" onClick={() => go('#/join')}>
          <span className="choice-icon scientist" aria-hidden="true">◎</span>
          <strong>Join</strong>
          <span>I am the scientist. I have a code from the data owner.</span>
        </button>
      </div>
      <p className="muted footnote">
        Curious how fast tensors travel? <a href="#/bench">Run the Arrow vs WebRTC benchmark</a> in two tabs.
      </p>
    </main>
  );
}
