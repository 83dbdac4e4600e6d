package kube

import (
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Pod Security Admission's restricted profile, enforced on the namespace.
const (
	psaEnforce = "pod-security.kubernetes.io/enforce"
	restricted = "restricted"
)

// CheckNamespace reports objects outside the one namespace the manifests
// create, and a namespace that does not enforce the restricted profile.
func (o *Objects) CheckNamespace() []string {
	var p problems
	if len(o.Namespaces) != 1 {
		p.addf("the manifests create %d namespaces, want 1", len(o.Namespaces))
		return p
	}
	ns := o.Namespaces[0]
	if ns.Labels[psaEnforce] != restricted {
		p.addf("namespace %s: label %s is %q, want %q", ns.Name, psaEnforce, ns.Labels[psaEnforce], restricted)
	}
	check := func(kind, name, got string) {
		if got != ns.Name {
			p.addf("%s %s is in namespace %q, not %s", kind, name, got, ns.Name)
		}
	}
	for _, x := range o.Deployments {
		check("deployment", x.Name, x.Namespace)
	}
	for _, x := range o.Services {
		check("service", x.Name, x.Namespace)
	}
	for _, x := range o.ConfigMaps {
		check("configmap", x.Name, x.Namespace)
	}
	for _, x := range o.HPAs {
		check("horizontalpodautoscaler", x.Name, x.Namespace)
	}
	for _, x := range o.PDBs {
		check("poddisruptionbudget", x.Name, x.Namespace)
	}
	for _, x := range o.NetworkPolicies {
		check("networkpolicy", x.Name, x.Namespace)
	}
	return p
}

// CheckWorkloads reports, for every Deployment, what a production
// workload must have: probes on declared ports, requests and limits, a
// non-root and locked-down security context, a preStop drain shorter than
// the grace period, exactly one PodDisruptionBudget that still lets a
// node drain proceed, and exactly one HorizontalPodAutoscaler that owns
// the replica count.
func (o *Objects) CheckWorkloads() []string {
	var p problems
	if len(o.Deployments) == 0 {
		p.addf("the manifests create no Deployment")
	}
	for i := range o.Deployments {
		d := &o.Deployments[i]
		var dp problems
		o.checkDeployment(&dp, d)
		for _, s := range dp {
			p.addf("deployment %s: %s", d.Name, s)
		}
	}
	return p
}

func (o *Objects) checkDeployment(p *problems, d *appsv1.Deployment) {
	tpl := &d.Spec.Template
	spec := &tpl.Spec
	if !selects(d.Spec.Selector, tpl.Labels) {
		p.addf("its selector does not select its own pods")
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		p.addf("automountServiceAccountToken must be false: the services never call the Kubernetes API")
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		p.addf("shares the node's network, PID or IPC namespace")
	}
	checkPodSecurity(p, spec)
	if spec.TerminationGracePeriodSeconds == nil {
		p.addf("sets no terminationGracePeriodSeconds")
	}
	if len(spec.Containers) == 0 {
		p.addf("has no container")
	}
	for i := range spec.Containers {
		checkContainer(p, spec, &spec.Containers[i])
	}
	for _, tsc := range spec.TopologySpreadConstraints {
		if !selects(tsc.LabelSelector, tpl.Labels) {
			p.addf("topology spread over %s does not select its own pods", tsc.TopologyKey)
		}
	}
	hpa := o.checkHPA(p, d)
	o.checkPDB(p, d, hpa)
}

func checkPodSecurity(p *problems, spec *corev1.PodSpec) {
	sc := spec.SecurityContext
	if sc == nil {
		p.addf("has no pod securityContext")
		return
	}
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		p.addf("securityContext.runAsNonRoot must be true")
	}
	if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		p.addf("securityContext.runAsUser is 0 (root)")
	}
	podSeccomp := sc.SeccompProfile != nil && sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault
	for _, c := range spec.Containers {
		csc := c.SecurityContext
		if csc != nil && csc.SeccompProfile != nil {
			if csc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				p.addf("container %s: seccomp profile %s, want RuntimeDefault", c.Name, csc.SeccompProfile.Type)
			}
			continue
		}
		if !podSeccomp {
			p.addf("container %s: no RuntimeDefault seccomp profile (pod or container)", c.Name)
		}
	}
}

func checkContainer(p *problems, spec *corev1.PodSpec, c *corev1.Container) {
	if c.Image == "" {
		p.addf("container %s has no image", c.Name)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[r]
		lim, hasLim := c.Resources.Limits[r]
		switch {
		case !hasReq || !hasLim:
			p.addf("container %s: %s needs both a request and a limit", c.Name, r)
		case req.Cmp(lim) > 0:
			p.addf("container %s: %s request %s exceeds its limit %s", c.Name, r, req.String(), lim.String())
		}
	}
	checkContainerSecurity(p, c)
	probes := []struct {
		kind  string
		probe *corev1.Probe
		need  bool
	}{{"liveness", c.LivenessProbe, true}, {"readiness", c.ReadinessProbe, true}, {"startup", c.StartupProbe, false}}
	for _, pr := range probes {
		switch {
		case pr.probe == nil:
			if pr.need {
				p.addf("container %s has no %s probe", c.Name, pr.kind)
			}
		case pr.probe.HTTPGet == nil:
			p.addf("container %s: %s probe is not an HTTP GET (every service serves its health over HTTP)", c.Name, pr.kind)
		default:
			if _, ok := podPort([]corev1.Container{*c}, pr.probe.HTTPGet.Port); !ok {
				p.addf("container %s: %s probe port %s is not a port the container declares", c.Name, pr.kind, pr.probe.HTTPGet.Port.String())
			}
			if !strings.HasPrefix(pr.probe.HTTPGet.Path, "/") {
				p.addf("container %s: %s probe path %q", c.Name, pr.kind, pr.probe.HTTPGet.Path)
			}
		}
	}
	drain := PreStopSeconds(c)
	switch {
	case drain <= 0:
		p.addf("container %s has no preStop drain (a sleep while its endpoint is removed everywhere)", c.Name)
	case spec.TerminationGracePeriodSeconds != nil && drain >= *spec.TerminationGracePeriodSeconds:
		p.addf("container %s: preStop sleeps %d s, not shorter than the grace period of %d s", c.Name, drain, *spec.TerminationGracePeriodSeconds)
	}
}

// checkContainerSecurity checks what the restricted profile and a
// read-only root file system ask of a container.
func checkContainerSecurity(p *problems, c *corev1.Container) {
	sc := c.SecurityContext
	if sc == nil {
		p.addf("container %s has no securityContext", c.Name)
		return
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		p.addf("container %s: allowPrivilegeEscalation must be false", c.Name)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		p.addf("container %s: readOnlyRootFilesystem must be true (the binaries write no files)", c.Name)
	}
	if sc.Privileged != nil && *sc.Privileged {
		p.addf("container %s is privileged", c.Name)
	}
	if sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot || sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		p.addf("container %s may run as root", c.Name)
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		p.addf("container %s: capabilities must drop ALL", c.Name)
	} else if len(sc.Capabilities.Add) > 0 {
		p.addf("container %s adds capabilities %v", c.Name, sc.Capabilities.Add)
	}
}

// PreStopSeconds returns how long a container's preStop hook sleeps (0
// without one).
func PreStopSeconds(c *corev1.Container) int64 {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		return 0
	}
	return c.Lifecycle.PreStop.Sleep.Seconds
}

// hpaFor returns the autoscalers that scale d.
func (o *Objects) hpaFor(d *appsv1.Deployment) []*autoscalingv2.HorizontalPodAutoscaler {
	var out []*autoscalingv2.HorizontalPodAutoscaler
	for i := range o.HPAs {
		ref := o.HPAs[i].Spec.ScaleTargetRef
		if ref.Kind == "Deployment" && ref.Name == d.Name && strings.HasPrefix(ref.APIVersion, "apps/") {
			out = append(out, &o.HPAs[i])
		}
	}
	return out
}

func (o *Objects) checkHPA(p *problems, d *appsv1.Deployment) *autoscalingv2.HorizontalPodAutoscaler {
	hpas := o.hpaFor(d)
	if len(hpas) != 1 {
		p.addf("%d HorizontalPodAutoscalers scale it, want 1", len(hpas))
		return nil
	}
	h := hpas[0]
	if d.Spec.Replicas != nil {
		p.addf("sets replicas: %d although HorizontalPodAutoscaler %s owns the count (every kubectl apply would reset it)", *d.Spec.Replicas, h.Name)
	}
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 1 {
		p.addf("HorizontalPodAutoscaler %s: minReplicas must be at least 1", h.Name)
	} else if h.Spec.MaxReplicas < *h.Spec.MinReplicas {
		p.addf("HorizontalPodAutoscaler %s: maxReplicas %d below minReplicas %d", h.Name, h.Spec.MaxReplicas, *h.Spec.MinReplicas)
	}
	if len(h.Spec.Metrics) == 0 {
		p.addf("HorizontalPodAutoscaler %s has no metric", h.Name)
	}
	for _, m := range h.Spec.Metrics {
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil || m.Resource.Target.Type != autoscalingv2.UtilizationMetricType {
			continue
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			if _, ok := c.Resources.Requests[m.Resource.Name]; !ok {
				p.addf("HorizontalPodAutoscaler %s targets %s utilization, but container %s requests no %s", h.Name, m.Resource.Name, c.Name, m.Resource.Name)
			}
		}
	}
	return h
}

func (o *Objects) checkPDB(p *problems, d *appsv1.Deployment, hpa *autoscalingv2.HorizontalPodAutoscaler) {
	var matching []int
	for i := range o.PDBs {
		if selects(o.PDBs[i].Spec.Selector, d.Spec.Template.Labels) {
			matching = append(matching, i)
		}
	}
	if len(matching) != 1 {
		p.addf("%d PodDisruptionBudgets select its pods, want 1", len(matching))
		return
	}
	pdb := o.PDBs[matching[0]]
	minReplicas := int32(1)
	if hpa != nil && hpa.Spec.MinReplicas != nil {
		minReplicas = *hpa.Spec.MinReplicas
	}
	switch s := pdb.Spec; {
	case s.MaxUnavailable != nil && s.MinAvailable != nil:
		p.addf("PodDisruptionBudget %s sets both minAvailable and maxUnavailable", pdb.Name)
	case s.MaxUnavailable != nil:
		if v, err := intstr.GetScaledValueFromIntOrPercent(s.MaxUnavailable, int(minReplicas), true); err != nil || v < 1 {
			p.addf("PodDisruptionBudget %s: maxUnavailable %s lets no pod go: node drains would hang", pdb.Name, s.MaxUnavailable.String())
		}
	case s.MinAvailable != nil:
		if v, err := intstr.GetScaledValueFromIntOrPercent(s.MinAvailable, int(minReplicas), true); err != nil || int32(v) >= minReplicas {
			p.addf("PodDisruptionBudget %s: minAvailable %s of %d replicas lets no pod go: node drains would hang", pdb.Name, s.MinAvailable.String(), minReplicas)
		}
	default:
		p.addf("PodDisruptionBudget %s sets neither minAvailable nor maxUnavailable", pdb.Name)
	}
}

// Environment is what an overlay promises about the environment it
// deploys to.
type Environment struct {
	// ReplicasAtLeast and ReplicasAtMost bound every autoscaler's
	// minReplicas (ReplicasAtMost 0: no upper bound).
	ReplicasAtLeast, ReplicasAtMost int32
	// PinnedImages requires every image to name a tag other than latest,
	// or a digest.
	PinnedImages bool
	// GuaranteedMemory requires memory requests equal to limits.
	GuaranteedMemory bool
}

// CheckEnvironment reports where the manifests break env's promises.
func (o *Objects) CheckEnvironment(env Environment) []string {
	var p problems
	for _, h := range o.HPAs {
		if h.Spec.MinReplicas == nil {
			continue
		}
		n := *h.Spec.MinReplicas
		if n < env.ReplicasAtLeast || env.ReplicasAtMost > 0 && n > env.ReplicasAtMost {
			if env.ReplicasAtMost > 0 {
				p.addf("horizontalpodautoscaler %s: minReplicas %d, want %d to %d", h.Name, n, env.ReplicasAtLeast, env.ReplicasAtMost)
			} else {
				p.addf("horizontalpodautoscaler %s: minReplicas %d, want at least %d", h.Name, n, env.ReplicasAtLeast)
			}
		}
	}
	for _, d := range o.Deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			if env.PinnedImages && !pinned(c.Image) {
				p.addf("deployment %s: image %s is not pinned to a release tag or digest", d.Name, c.Image)
			}
			req, lim := c.Resources.Requests[corev1.ResourceMemory], c.Resources.Limits[corev1.ResourceMemory]
			if env.GuaranteedMemory && req.Cmp(lim) != 0 {
				p.addf("deployment %s: container %s requests %s of memory but may use %s", d.Name, c.Name, req.String(), lim.String())
			}
		}
	}
	return p
}

// pinned reports whether an image reference names a digest or a tag other
// than latest.
func pinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return false
	}
	return image[i+1:] != "latest"
}

// ImageRepository returns an image reference without its tag or digest.
func ImageRepository(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(image, ":"); i >= 0 && !strings.Contains(image[i:], "/") {
		return image[:i]
	}
	return image
}
