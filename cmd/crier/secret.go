package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

func secret(_ context.Context, env *environment, args []string) int {
	fs := flags(env, "secret", "", "Print a new Standard Webhooks secret: whsec_ followed by the base64 of 32 random bytes.")
	if code, done := parse(fs, env, args); done {
		return code
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails on Linux; panics otherwise
	fmt.Fprintln(env.stdout, "whsec_"+base64.StdEncoding.EncodeToString(key))
	return exitOK
}
