package main

import (
	"io"
	"runtime/pprof"
)

func pprofStart(w io.Writer) error { return pprof.StartCPUProfile(w) }
func pprofStop()                   { pprof.StopCPUProfile() }
