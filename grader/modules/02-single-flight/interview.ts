/** Module 02's interview follow-ups and model answers: the README's list and `pnpm drill 02`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'still-a-burst',
      q: 'You added request coalescing and the database still sees a burst at each boundary. Name two reasons.',
      a: 'Single-flight coalesces per process, so N instances still send N queries per boundary. And the flight may not cover the miss: keys that differ (a timestamp or user id in the key), a flight that ends before the cache write lands so late arrivals miss again, or many different keys expiring together (an avalanche, not one hot key).',
      yours: (m) => {
        const g = pick(m('one per instance'), /(\d+) per boundary, 1 per instance/);
        return g && `Your run of 02 showed it: ${g[0]} instances sent ${g[0]} queries per boundary, one each.`;
      },
    },
    {
      id: 'in-flight-call-hangs',
      q: 'The in-flight call hangs forever. What happens to everyone waiting on it, and how do you bound it?',
      a: 'Every caller for that key waits forever too, and the key is dead until the process restarts: coalescing turned one stuck call into an outage for the key. Bound it with a timeout on the shared call (so the flight fails and is forgotten), a per-caller timeout on the wait, and make sure the flight entry is removed on every path, success, failure and timeout.',
    },
    {
      id: 'cancel-the-shared-call',
      q: 'Should a waiter that gave up (timeout, client disconnected) cancel the shared call? What if it was the one that started it?',
      a: 'No: others still want the result, and the work is half done. A waiter stops waiting; the shared call is cancelled only when nobody is waiting any more (reference counting), and then only if cancelling saves real work. The starter is not special: its disconnect must not abort the call for everyone, which is a classic bug when the origin call is tied to the first request\'s context.',
    },
    {
      id: 'mutable-shared-result',
      q: 'The shared result is a mutable object and one caller edits it. What breaks, and how do you prevent it?',
      a: 'Every waiter got the same object, so one caller\'s edit shows up in the others\' responses, and in the cache if that object is what was stored: a data leak between requests. Freeze it, return a copy per caller, or keep cached values immutable by convention (and test it).',
    },
    {
      id: 'retries-inside-or-around',
      q: 'How does single-flight interact with retries? Where would you put the retry: inside `fn`, or around `do`?',
      a: 'Inside `fn`: then one flight retries once for everyone, and the waiters get the final result. A retry around `do` makes each waiter retry on its own after a shared failure, so a failure turns into a herd of retries, each possibly starting a new flight. Keep the retries bounded so the flight still has a deadline.',
    },
    {
      id: 'two-hundred-instances',
      q: 'Your service runs 200 instances. What does single-flight buy you at the origin, and what would you add next?',
      a: 'It caps the herd at one query per instance per key, 200 per boundary instead of rate times rebuild time: a big cut, but 200 is still a herd. Next, coordinate the fleet: a distributed rebuild lock (module 03), or serve stale while one process refreshes (module 04), or refresh early (module 05).',
      yours: (m) => {
        const g = pick(m('p99 at the boundary'), /([\d,]+) ms \(worst of (\d+)\)/);
        return g && `In your run of 02 the worst p99 at a boundary was ${g[0]} ms over ${g[1]} boundaries: about one origin call, since waiters share it.`;
      },
    },
  ],
});
