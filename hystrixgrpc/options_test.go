package hystrixgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixgrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestNewRefusesUnusableOptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opt  hystrixgrpc.Option
		want string // in the error's text
	}{
		{"nil option", nil, "option 0 is nil"},
		{"nil registry", hystrixgrpc.WithRegistry(nil), "WithRegistry"},
		{"nil command name", hystrixgrpc.WithCommandName(nil), "WithCommandName"},
		{"nil classifier", hystrixgrpc.WithClassifier(nil), "WithClassifier"},
		{"nil unary fallback", hystrixgrpc.WithUnaryFallback(nil), "WithUnaryFallback"},
		{"nil stream fallback", hystrixgrpc.WithStreamFallback(nil), "WithStreamFallback"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ic, err := hystrixgrpc.New(tc.opt)
			if ic != nil || !errors.Is(err, hystrixgrpc.ErrInvalidOption) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, %v; want an ErrInvalidOption naming %q", ic, err, tc.want)
			}
			for _, mk := range []func(){
				func() { hystrixgrpc.UnaryClientInterceptor(tc.opt) },
				func() { hystrixgrpc.StreamClientInterceptor(tc.opt) },
			} {
				func() {
					defer func() {
						if err, _ := recover().(error); !errors.Is(err, hystrixgrpc.ErrInvalidOption) {
							t.Fatalf("recovered %v, want New's error", err)
						}
					}()
					mk()
				}()
			}
		})
	}
}

func TestNewWithoutOptionsIsReady(t *testing.T) {
	t.Parallel()
	ic, err := hystrixgrpc.New()
	if err != nil || ic == nil {
		t.Fatalf("New() = %v, %v", ic, err)
	}
}

func TestDefaultClassifierJudgesEveryCode(t *testing.T) {
	t.Parallel()
	for _, tc := range codeClasses {
		if got := hystrixgrpc.DefaultClassifier(status.Error(tc.code, "x")); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.code, got, tc.want)
		}
	}
	others := []struct {
		name string
		err  error
		want hystrixgrpc.Outcome
	}{
		{"nil", nil, hystrixgrpc.Success},
		{"no status", errors.New("broken pipe"), hystrixgrpc.Failure},
		{"wrapped status", fmt.Errorf("lookup: %w", status.Error(codes.NotFound, "x")), hystrixgrpc.BadRequest},
		{"bare context.Canceled", context.Canceled, hystrixgrpc.BadRequest},
		{"bare context.DeadlineExceeded", fmt.Errorf("call: %w", context.DeadlineExceeded), hystrixgrpc.Failure},
		{"code beyond the known ones", status.Error(codes.Code(99), "x"), hystrixgrpc.Failure},
	}
	for _, tc := range others {
		if got := hystrixgrpc.DefaultClassifier(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	t.Parallel()
	for o, want := range map[hystrixgrpc.Outcome]string{
		hystrixgrpc.Failure: "failure", hystrixgrpc.BadRequest: "bad request",
		hystrixgrpc.Success: "success", hystrixgrpc.Outcome(-1): "failure",
	} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", int(o), got, want)
		}
	}
}

func TestErrorIsAStatusErrorThatUnwrapsToHystrix(t *testing.T) {
	t.Parallel()
	err := error(&hystrixgrpc.Error{Command: "get_user", Code: codes.DeadlineExceeded, Err: hystrix.ErrTimeout})
	if got := status.Code(err); got != codes.DeadlineExceeded {
		t.Fatalf("status.Code %v", got)
	}
	if !errors.Is(err, hystrix.ErrTimeout) || errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatal("errors.Is does not see exactly the hystrix error")
	}
	want := `rpc error: code = DeadlineExceeded desc = command "get_user": hystrix: timeout`
	if got := err.Error(); got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	// Wrapped further, it keeps its code.
	if got := status.Code(fmt.Errorf("get user: %w", err)); got != codes.DeadlineExceeded {
		t.Fatalf("wrapped: status.Code %v", got)
	}
}
