package kube

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// problems collects what a check finds, one sentence each.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// selects reports whether sel selects objects labelled l. A nil selector
// selects nothing, an empty one everything (as in the API).
func selects(sel *metav1.LabelSelector, l map[string]string) bool {
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return s.Matches(labels.Set(l))
}

// Deployment returns the Deployment called name, or nil.
func (o *Objects) Deployment(name string) *appsv1.Deployment {
	for i := range o.Deployments {
		if o.Deployments[i].Name == name {
			return &o.Deployments[i]
		}
	}
	return nil
}

// ConfigMap returns the ConfigMap called name, or nil.
func (o *Objects) ConfigMap(name string) *corev1.ConfigMap {
	for i := range o.ConfigMaps {
		if o.ConfigMaps[i].Name == name {
			return &o.ConfigMaps[i]
		}
	}
	return nil
}

// selected returns the Deployments whose pods sel selects.
func (o *Objects) selected(sel *metav1.LabelSelector) []*appsv1.Deployment {
	var out []*appsv1.Deployment
	for i := range o.Deployments {
		if selects(sel, o.Deployments[i].Spec.Template.Labels) {
			out = append(out, &o.Deployments[i])
		}
	}
	return out
}

// selectedByMap returns the Deployments whose pods a Service's selector
// (a plain label map) selects; an empty map selects none.
func (o *Objects) selectedByMap(sel map[string]string) []*appsv1.Deployment {
	if len(sel) == 0 {
		return nil
	}
	return o.selected(&metav1.LabelSelector{MatchLabels: sel})
}

// podPort resolves a port given by number or name among the ports the
// containers declare; it reports whether one declares it.
func podPort(containers []corev1.Container, p intstr.IntOrString) (int32, bool) {
	for _, c := range containers {
		for _, cp := range c.Ports {
			if p.Type == intstr.String && cp.Name == p.StrVal || p.Type == intstr.Int && cp.ContainerPort == p.IntVal {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// ServiceTarget resolves host:port as a pod of the namespace reaches it:
// host is a Service's name (alone or followed by .<namespace>, .svc and
// the cluster domain), port one of its ports. It returns the Deployment
// whose pods serve it and the container port the Service forwards to; ok
// is false when host names no Service here.
func (o *Objects) ServiceTarget(host string, port int32) (d *appsv1.Deployment, containerPort int32, ok bool, err error) {
	name, rest, _ := strings.Cut(host, ".")
	if rest != "" {
		ns := o.namespace()
		if !slices.Contains([]string{ns, ns + ".svc", ns + ".svc.cluster.local"}, rest) {
			return nil, 0, false, nil
		}
	}
	for _, s := range o.Services {
		if s.Name != name {
			continue
		}
		pods := o.selectedByMap(s.Spec.Selector)
		if len(pods) != 1 {
			return nil, 0, true, fmt.Errorf("service %s selects %d Deployments, want 1", s.Name, len(pods))
		}
		for _, sp := range s.Spec.Ports {
			if sp.Port != port {
				continue
			}
			target := sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(sp.Port)
			}
			cp, found := podPort(pods[0].Spec.Template.Spec.Containers, target)
			if !found {
				return nil, 0, true, fmt.Errorf("service %s port %d targets %s, which no container of %s declares", s.Name, port, target.String(), pods[0].Name)
			}
			return pods[0], cp, true, nil
		}
		return nil, 0, true, fmt.Errorf("service %s has no port %d", s.Name, port)
	}
	return nil, 0, false, nil
}

// namespace returns the namespace of the objects ("" when they name none).
func (o *Objects) namespace() string {
	for _, d := range o.Deployments {
		return d.Namespace
	}
	return ""
}
