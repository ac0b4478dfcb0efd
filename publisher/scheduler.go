package publisher

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Scheduler runs a job on a cron schedule and once at start. Runs never
// overlap, and a panic in one is logged and does not stop the next.
type Scheduler struct {
	cron *cron.Cron
	spec string
	job  func(context.Context)
	// first tracks the run at start, which cron's Stop does not wait for.
	first sync.WaitGroup
}

// NewScheduler parses spec (robfig/cron/v3 standard syntax, descriptors
// like "@every 1m", CRON_TZ= prefix).
func NewScheduler(spec string, job func(context.Context), log *slog.Logger) (*Scheduler, error) {
	if _, err := cron.ParseStandard(spec); err != nil {
		return nil, fmt.Errorf("publisher: schedule %q: %w", spec, err)
	}
	l := cronLogger{log}
	// SkipIfStillRunning must wrap Recover: the other way round, a panic
	// would leave the skip lock held and the job would never run again.
	c := cron.New(cron.WithLogger(l), cron.WithChain(cron.SkipIfStillRunning(l), cron.Recover(l)))
	return &Scheduler{cron: c, spec: spec, job: job}, nil
}

// ScheduleInterval is the time between the two runs of spec that follow
// now: how long the inbox leaves feeds unchanged. 0 for a bad spec.
func ScheduleInterval(spec string, now time.Time) time.Duration {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return 0
	}
	next := sched.Next(now)
	return sched.Next(next).Sub(next)
}

// Start schedules the job with ctx, runs it once now, and returns.
func (s *Scheduler) Start(ctx context.Context) error {
	id, err := s.cron.AddFunc(s.spec, func() { s.job(ctx) })
	if err != nil {
		return fmt.Errorf("publisher: schedule %q: %w", s.spec, err)
	}
	s.cron.Start()
	// The same wrapped job, so the start run shares the no-overlap lock.
	job := s.cron.Entry(id).WrappedJob
	s.first.Go(job.Run)
	return nil
}

// Stop stops scheduling and waits for a running job to return.
func (s *Scheduler) Stop() {
	<-s.cron.Stop().Done()
	s.first.Wait()
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "error", err)...)
}
