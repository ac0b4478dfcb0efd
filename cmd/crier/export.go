package main

import (
	"context"
	"fmt"

	"github.com/crier/crier/app"
)

func exportCmd(ctx context.Context, env *environment, args []string) int {
	fs := flags(env, "export", "[--config FILE] --out DIR", "Read every article from the stream, then write every feed and page under DIR as static\nfiles, byte-identical to what crier serve sends, each with a .gz sibling holding the gzip\nresponse (for nginx's gzip_static). / is index.html, /articles/<id> is articles/<id>.html.\nFiles are replaced atomically; nothing outside DIR is touched and nothing is deleted.\nUses the embedded NATS server in-process (no port) unless nats.url is set; do not point\nit at the data_dir of a running crier serve.")
	path := fs.String("config", "", "YAML configuration `file`")
	out := fs.String("out", "", "`directory` to write the files to (created if missing)")
	if code, done := parse(fs, env, args); done {
		return code
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(env.stderr, "crier export: --out DIR is required, and takes no arguments")
		fs.Usage()
		return exitUsage
	}
	cfg, log, ok := loadConfig(env, *path)
	if !ok {
		return exitUsage
	}
	st, err := app.Export(ctx, cfg, log, *out)
	if err != nil {
		log.Error("export failed", "error", err)
		return exitFailed
	}
	fmt.Fprintf(env.stdout, "wrote %d files and %d .gz files (%d bytes) to %s; removed %d files of retracted articles\n", st.Files, st.GzFiles, st.Bytes, *out, st.Removed)
	return exitOK
}
