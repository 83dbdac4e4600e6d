package kube

import (
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// checkProbes checks the probes use the health endpoints on the port the
// binary listens on, and that the container declares that port.
func checkProbes(p *problems, where string, c *corev1.Container, port int32) {
	if _, ok := podPort([]corev1.Container{*c}, intstr.FromInt32(port)); !ok {
		p.addf("%s: the binary listens on %d, a port the container does not declare", where, port)
	}
	for _, pr := range []struct {
		kind, path string
		probe      *corev1.Probe
	}{{"liveness", livenessPath, c.LivenessProbe}, {"startup", livenessPath, c.StartupProbe}, {"readiness", readinessPath, c.ReadinessProbe}} {
		if pr.probe == nil || pr.probe.HTTPGet == nil {
			continue // CheckWorkloads reports missing probes
		}
		if got, _ := podPort([]corev1.Container{*c}, pr.probe.HTTPGet.Port); got != port {
			p.addf("%s: %s probe goes to port %d, but the binary listens on %d", where, pr.kind, got, port)
		}
		if pr.probe.HTTPGet.Path != pr.path {
			p.addf("%s: %s probe fetches %s, want %s", where, pr.kind, pr.probe.HTTPGet.Path, pr.path)
		}
	}
}

// checkShutdown checks the grace period covers the preStop sleep, the
// binary's drain and the margin after it.
func checkShutdown(p *problems, where string, d *appsv1.Deployment, c *corev1.Container, drain time.Duration) {
	g := d.Spec.Template.Spec.TerminationGracePeriodSeconds
	if g == nil {
		return
	}
	need := time.Duration(PreStopSeconds(c))*time.Second + drain + drainMargin
	if time.Duration(*g)*time.Second < need {
		p.addf("%s: terminationGracePeriodSeconds %d is shorter than preStop %d s + the binary's drain %s + %s", where, *g, PreStopSeconds(c), drain, drainMargin)
	}
}

// probePaths returns the paths the container's HTTP probes fetch.
func probePaths(c *corev1.Container) []string {
	var out []string
	for _, pr := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
		if pr != nil && pr.HTTPGet != nil && !slices.Contains(out, pr.HTTPGet.Path) {
			out = append(out, pr.HTTPGet.Path)
		}
	}
	return out
}

func get(h http.Handler, path string) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code
}

func listenPort(p *problems, where, addr string) int32 {
	_, ps, err := net.SplitHostPort(addr)
	n, err2 := strconv.ParseInt(ps, 10, 32)
	if err != nil || err2 != nil {
		p.addf("%s: listen address %q has no port", where, addr)
		return 0
	}
	return int32(n)
}
