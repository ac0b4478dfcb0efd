package main

import (
	"context"
	"fmt"

	"github.com/crier/crier/app"
)

func runOnce(ctx context.Context, env *environment, args []string) int {
	fs := flags(env, "run-once", "[--config FILE]", "Make one ingestion pass over the inbox, publish what is new, and exit.\nExit status: 0 if every input was published or was a duplicate, 1 if one failed.\nUses the embedded NATS server in-process (no port) unless nats.url is set;\ndo not point it at the data_dir of a running crier serve.")
	path := fs.String("config", "", "YAML configuration `file`")
	if code, done := parse(fs, env, args); done {
		return code
	}
	cfg, log, ok := loadConfig(env, *path)
	if !ok {
		return exitUsage
	}
	st, err := app.RunOnce(ctx, cfg, log, currentVersion())
	fmt.Fprintf(env.stdout, "published %d, updated %d, duplicates %d, failed %d, waiting %d\n", st.Published, st.Updated, st.Duplicates, st.Failed, st.Waiting)
	if err != nil {
		log.Error("run failed", "error", err)
		return exitFailed
	}
	if st.Failed > 0 {
		return exitFailed
	}
	return exitOK
}
