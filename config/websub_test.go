package config

import (
	"strings"
	"testing"
)

func TestWebSubValidation(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"CRIER_WEBSUB_LEASE_MIN=0s"}, "websub.lease_min: must be positive"},
		{[]string{"CRIER_WEBSUB_LEASE_DEFAULT=1000h"}, "websub.lease_default: must be between"},
		{[]string{"CRIER_WEBSUB_MAX_SUBSCRIPTIONS=0"}, "websub.max_subscriptions"},
		{[]string{"CRIER_WEBSUB_MAX_PENDING=0"}, "websub.max_pending"},
		{[]string{"CRIER_WEBSUB_PUBLISH_TO=ftp://hub.example"}, "websub.publish_to[0]"},
		{[]string{"CRIER_WEBSUB_ENABLED=false", "CRIER_WEBSUB_PUBLISH_TO=https://pubsubhubbub.appspot.com/"}, ""},
	} {
		_, err := Load("", tc.env)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.env, err, tc.want)
		}
	}
}
