# bench/hold_simpy.py - the hold model of bench_engine.c on SimPy 2, for
# Debian's /usr/bin/python3 (package python3-simpy); prints "events/s X".
#
# Usage: /usr/bin/python3 hold_simpy.py [N [EVENTS]]
# N processes each hold for Exp(mean 1000 ns) rounded to whole ns (at least
# 1), so N events are always pending. After a warm-up of N events, EVENTS
# holds are timed in CPU time (the machine may be shared).
import sys
import time

try:
    from SimPy.Simulation import Process, Simulation, hold
except ImportError:
    print("SimPy 2: not installed (apt-get install python3-simpy): skipped")
    sys.exit(2)

import random

MEAN_NS = 1000.0


class Counter:
    """Counts fired holds; starts the clock after the warm-up and stops
    the simulation after the timed ones."""

    def __init__(self, sim, warmup, events):
        self.sim = sim
        self.fired = 0
        self.warmup = warmup
        self.end = warmup + events
        self.t0 = None

    def tick(self):
        self.fired += 1
        if self.fired == self.warmup:
            self.t0 = time.process_time()
        elif self.fired == self.end:
            self.sim.stopSimulation()


class Holder(Process):
    def run(self, rng, counter):
        while True:
            yield hold, self, max(1, round(rng.expovariate(1 / MEAN_NS)))
            counter.tick()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 300000
    sim = Simulation()
    sim.initialize()
    rng = random.Random(20240601)
    counter = Counter(sim, n, events)
    for i in range(n):
        p = Holder(name="h%d" % i, sim=sim)
        sim.activate(p, p.run(rng, counter))
    sim.simulate(until=10**18)
    dt = time.process_time() - counter.t0
    print("events/s %.1f" % (events / dt))


if __name__ == "__main__":
    main()
