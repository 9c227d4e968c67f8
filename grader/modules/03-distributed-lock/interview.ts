import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  width: 100,
  questions: [
    {
      id: "still-need-single",
      q: "Why do you still need single-flight inside each process once you have a distributed lock?",
      a: 'TODO',
    },
    {
      id: "choose-lock-s",
      q: "How do you choose the lock's expiry? What goes wrong if it is too short, and too long?",
      a: 'TODO',
    },
    {
      id: "redis-fails-over",
      q: "Your Redis fails over and the replica had not seen the lock yet. What happens, and does it matter for this lock?",
      a: 'TODO',
    },
    {
      id: "need-redlock-consensus",
      q: "When would you need Redlock, or a consensus system such as ZooKeeper or etcd, instead?",
      a: 'TODO',
    },
    {
      id: "waiters-poll-use",
      q: "Waiters poll. What would you use instead of polling, and what does it cost?",
      a: 'TODO',
    },
    {
      id: "1000-keys-expire",
      q: "1000 keys expire in the same second. What does the lock do for you there, and what does it not?",
      a: 'TODO',
    },
  ],
});
