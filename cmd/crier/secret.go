package main

import (
	"context"
	"fmt"

	"github.com/crier/crier/subscribers"
)

func secret(_ context.Context, env *environment, args []string) int {
	fs := flags(env, "secret", "[--ed25519]", "Print a new Standard Webhooks secret: whsec_ followed by the base64 of 32 random bytes.\nWith --ed25519, print an ed25519 key pair instead: the whsk_ signing key for crier's\nconfig (signing_key) and the whpk_ public key for receivers (v1a signatures).")
	ed := fs.Bool("ed25519", false, "print an ed25519 key pair (whsk_ and whpk_) instead")
	if code, done := parse(fs, env, args); done {
		return code
	}
	if *ed {
		sk, pk, err := subscribers.GenerateSigningKey()
		if err != nil {
			fmt.Fprintln(env.stderr, "crier:", err)
			return exitFailed
		}
		fmt.Fprintf(env.stdout, "signing key (crier's config, keep it secret): %s\npublic key  (give it to receivers):           %s\n", sk, pk)
		return exitOK
	}
	s, err := subscribers.GenerateSecret()
	if err != nil {
		fmt.Fprintln(env.stderr, "crier:", err)
		return exitFailed
	}
	fmt.Fprintln(env.stdout, s)
	return exitOK
}
