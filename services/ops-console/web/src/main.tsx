import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Alerts } from './alerts';
import { type ApiError, forgetToken, poll, saveToken, takeToken } from './api';
import { Audit } from './audit';
import { DeadLetters } from './dead-letters';
import { Energy } from './energy';
import { Fleet } from './fleet';
import { Sessions } from './sessions';
import './styles.css';
import type { DeadLetterSummary, FleetView } from './types';

const tabs = ['Fleet', 'Sessions', 'Energy', 'Alerts', 'Dead letters', 'Audit'] as const;
type Tab = (typeof tabs)[number];

/** Live: the fleet (with alerts) every 2 s, dead letters every 10 s; an unchanged answer is a 304. */
const FLEET_POLL_MS = 2000;
const DEAD_LETTER_POLL_MS = 10_000;

function SignIn({ message, onToken }: { message?: string; onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <main class="sign-in">
      <h1>Operator console</h1>
      {message && (
        <p role="alert" class="warning">
          {message}
        </p>
      )}
      <p>
        Sign in with an operator token: open the link <code>npm start</code> prints, or paste one from{' '}
        <code>npm run dev-token -- &lt;user&gt; --operator</code> (a Cognito ID token of the{' '}
        <code>operators</code> group on AWS).
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <label>
          Token{' '}
          <input type="password" value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

function Console({ onRefused }: { onRefused: (error: ApiError) => void }) {
  const [tab, setTab] = useState<Tab>('Fleet');
  const [fleet, setFleet] = useState<FleetView | undefined>();
  const [deadLetters, setDeadLetters] = useState<DeadLetterSummary[] | undefined>();
  const [connection, setConnection] = useState('connecting…');
  const [now, setNow] = useState(Date.now());
  const [deadLetterRound, setDeadLetterRound] = useState(0);
  const refused = useCallback(
    (error: ApiError) => {
      if (error.status === 401 || error.status === 403) onRefused(error);
      else setConnection(`connection problem: ${error.message}`);
    },
    [onRefused],
  );
  useEffect(
    () =>
      poll<FleetView>(
        'fleet',
        FLEET_POLL_MS,
        (view) => {
          setFleet(view);
          setConnection(`live · updated ${new Date(view.at).toLocaleTimeString()}`);
        },
        refused,
      ),
    [refused],
  );
  useEffect(() => {
    void deadLetterRound;
    return poll<{ deadLetters: DeadLetterSummary[] }>(
      'dead-letters',
      DEAD_LETTER_POLL_MS,
      (data) => setDeadLetters(data.deadLetters),
      refused,
    );
  }, [refused, deadLetterRound]);
  useEffect(() => {
    const ticker = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(ticker);
  }, []);
  const openAlerts = fleet?.alerts.filter((alert) => alert.state === 'open').length ?? 0;
  const badges: Partial<Record<Tab, number>> = {
    Alerts: openAlerts,
    'Dead letters': deadLetters?.length ?? 0,
  };
  return (
    <>
      <header class="top">
        <h1>Operator console</h1>
        <span class="connection" role="status">
          {connection}
        </span>
        <button
          type="button"
          onClick={() => {
            forgetToken();
            window.location.reload();
          }}
        >
          Sign out
        </button>
      </header>
      <div role="tablist" aria-label="Console sections" class="tabs">
        {tabs.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={tab === name}
            aria-controls="tab-panel"
            onClick={() => setTab(name)}
          >
            {name}
            {badges[name] ? <span class="tab-badge">{badges[name]}</span> : null}
          </button>
        ))}
      </div>
      <main>
        <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
          {tab === 'Fleet' && <Fleet fleet={fleet} now={now} />}
          {tab === 'Sessions' && <Sessions />}
          {tab === 'Energy' && <Energy />}
          {tab === 'Alerts' && <Alerts alerts={fleet?.alerts ?? []} deadLetters={deadLetters} now={now} />}
          {tab === 'Dead letters' && (
            <DeadLetters letters={deadLetters} onChanged={() => setDeadLetterRound((round) => round + 1)} />
          )}
          {tab === 'Audit' && <Audit />}
        </div>
      </main>
    </>
  );
}

function App() {
  const [token, setToken] = useState(takeToken);
  const [refusal, setRefusal] = useState<string | undefined>();
  if (!token || refusal) {
    return (
      <SignIn
        {...(refusal ? { message: refusal } : {})}
        onToken={(fresh) => {
          saveToken(fresh);
          setRefusal(undefined);
          setToken(fresh);
        }}
      />
    );
  }
  return (
    <Console
      onRefused={(error) => {
        forgetToken();
        setRefusal(
          error.status === 403
            ? 'This account is not an operator: the console needs a token of the operators group (403).'
            : 'The token was refused (expired or not valid here): sign in again.',
        );
      }}
    />
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
