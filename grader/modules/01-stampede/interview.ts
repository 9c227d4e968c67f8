import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  width: 100,
  questions: [
    {
      id: "database-cpu-spikes",
      q: "Your database CPU spikes every 5 minutes, on the dot. What do you look at first, and what would confirm a stampede rather than a cron job?",
      a: 'TODO',
    },
    {
      id: "teammate-proposes-raising",
      q: "A teammate proposes raising the TTL from 60 s to 1 hour to fix it. What does that change, and what does it not change?",
      a: 'TODO',
    },
    {
      id: "estimate-herd-key",
      q: "Estimate the herd for a key read 2,000 times a second whose rebuild takes 150 ms. Now the database is at capacity and the rebuild takes 600 ms. What happens?",
      a: 'TODO',
    },
    {
      id: "origin-queries-boundary",
      q: "Why are origin queries at the boundary equal to misses in this cache, and what number would you alert on in production to catch a stampede?",
      a: 'TODO',
    },
    {
      id: "p99-move-boundary",
      q: "Why does p99 move at a boundary while p50 barely changes?",
      a: 'TODO',
    },
    {
      id: "reproduce-stampede-load",
      q: "How would you reproduce a stampede in a load test, and why does closed-loop load understate what real traffic does?",
      a: 'TODO',
    },
  ],
});
