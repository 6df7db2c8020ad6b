// Command cyclonus-cases writes Cyclonus's generated NetworkPolicy test cases, and the verdicts
// Cyclonus's own policy matcher expects for them, as JSON on stdout. Meshbook's evaluator is
// then compared against these verdicts (test/reachability/cyclonus.test.ts): an implementation we did
// not write, run on cases we did not choose.
//
// Everything runs against Cyclonus's in-memory mock cluster, as `cyclonus generate --mock` does:
// namespaces x, y, z; pods a, b, c in each; every pod serves ports 80 and 81 on TCP, UDP and
// SCTP. No Kubernetes cluster and no network are involved.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"sort"

	"github.com/mattfenwick/cyclonus/pkg/connectivity"
	"github.com/mattfenwick/cyclonus/pkg/connectivity/probe"
	"github.com/mattfenwick/cyclonus/pkg/generator"
	"github.com/mattfenwick/cyclonus/pkg/kube"
	"github.com/mattfenwick/cyclonus/pkg/matcher"
	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

const cyclonusModule = "github.com/mattfenwick/cyclonus"

// The defaults of `cyclonus generate`.
var (
	namespaces = []string{"x", "y", "z"}
	podNames   = []string{"a", "b", "c"}
	ports      = []int{80, 81}
	protocols  = []v1.Protocol{v1.ProtocolTCP, v1.ProtocolUDP, v1.ProtocolSCTP}
)

type output struct {
	Generator string     `json:"generator"`
	Cases     []caseJSON `json:"cases"`
}

type caseJSON struct {
	Description string     `json:"description"`
	Tags        []string   `json:"tags"`
	Steps       []stepJSON `json:"steps"`
}

// verdict is [from "ns/pod", to "ns/pod", protocol, port number, port name, egress allowed, ingress allowed].
type verdict [7]any

type stepJSON struct {
	Namespaces []*v1.Namespace               `json:"namespaces"`
	Pods       []*v1.Pod                     `json:"pods"`
	Policies   []*networkingv1.NetworkPolicy `json:"policies"`
	// Probes whose port the destination pod does not serve: Cyclonus expects them to fail for
	// that reason alone, so they carry no policy verdict and are only counted.
	Unserved int       `json:"unserved"`
	Verdicts []verdict `json:"verdicts"`
}

func main() {
	// The mock cluster logs every object it creates at info level; keep stdout for the JSON.
	logrus.SetOutput(os.Stderr)
	logrus.SetLevel(logrus.WarnLevel)

	out := output{Generator: cyclonusModule + "@" + cyclonusVersion()}
	first := newCluster()
	zc, err := first.resources.GetPod("z", "c")
	if err != nil {
		fail(err)
	}
	// The arguments of `cyclonus generate` with its defaults, except that no tag is excluded:
	// the comparison wants every case, including the multi-peer, end-port and upstream-e2e ones.
	all := generator.NewTestCaseGenerator(true, zc.IP, namespaces, nil, nil).GenerateAllTestCases()
	for i, tc := range all {
		// A fresh mock cluster per case: cases create and delete namespaces and pods, and the
		// mock hands out pod IPs in creation order, so every case starts from the same IPs.
		c, err := runCase(newCluster(), tc)
		if err != nil {
			fail(fmt.Errorf("case %d %q: %w", i, tc.Description, err))
		}
		out.Cases = append(out.Cases, c)
	}
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
	if err := w.Flush(); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "cyclonus-cases: %d cases from %s\n", len(out.Cases), out.Generator)
}

type cluster struct {
	kube      kube.IKubernetes
	resources *probe.Resources
}

func newCluster() *cluster {
	mock := kube.NewMockKubernetes(1.0)
	resources, err := probe.NewDefaultResources(mock, namespaces, podNames, ports, protocols, nil, 60, false, "registry.k8s.io")
	if err != nil {
		fail(err)
	}
	return &cluster{kube: mock, resources: resources}
}

func runCase(c *cluster, tc *generator.TestCase) (caseJSON, error) {
	tags := tc.Tags.Keys()
	sort.Strings(tags)
	result := caseJSON{Description: tc.Description, Tags: tags}
	state := &connectivity.TestCaseState{Kubernetes: c.kube, Resources: c.resources, Policies: []*networkingv1.NetworkPolicy{}}
	for stepIndex, step := range tc.Steps {
		for actionIndex, action := range step.Actions {
			if err := apply(state, action); err != nil {
				return result, fmt.Errorf("step %d action %d: %w", stepIndex, actionIndex, err)
			}
		}
		result.Steps = append(result.Steps, probeStep(state, step.Probe))
	}
	return result, nil
}

// apply performs one action on the mock cluster and the expected state, as Cyclonus's
// interpreter does before each probe.
func apply(s *connectivity.TestCaseState, a *generator.Action) error {
	switch {
	case a.CreatePolicy != nil:
		return s.CreatePolicy(a.CreatePolicy.Policy)
	case a.UpdatePolicy != nil:
		return s.UpdatePolicy(a.UpdatePolicy.Policy)
	case a.DeletePolicy != nil:
		return s.DeletePolicy(a.DeletePolicy.Namespace, a.DeletePolicy.Name)
	case a.CreateNamespace != nil:
		return s.CreateNamespace(a.CreateNamespace.Namespace, a.CreateNamespace.Labels)
	case a.SetNamespaceLabels != nil:
		return s.SetNamespaceLabels(a.SetNamespaceLabels.Namespace, a.SetNamespaceLabels.Labels)
	case a.DeleteNamespace != nil:
		return s.DeleteNamespace(a.DeleteNamespace.Namespace)
	case a.ReadNetworkPolicies != nil:
		return s.ReadPolicies(a.ReadNetworkPolicies.Namespaces)
	case a.CreatePod != nil:
		return s.CreatePod(a.CreatePod.Namespace, a.CreatePod.Pod, a.CreatePod.Labels)
	case a.SetPodLabels != nil:
		return s.SetPodLabels(a.SetPodLabels.Namespace, a.SetPodLabels.Pod, a.SetPodLabels.Labels)
	case a.DeletePod != nil:
		return s.DeletePod(a.DeletePod.Namespace, a.DeletePod.Pod)
	}
	return fmt.Errorf("unknown action %+v", a)
}

// probeStep records the cluster as the step's probe sees it and Cyclonus's expected verdict
// for every probe, from the same job builder and simulated runner that `cyclonus generate`
// compares real connectivity against.
func probeStep(s *connectivity.TestCaseState, config *generator.ProbeConfig) stepJSON {
	step := stepJSON{Verdicts: []verdict{}}

	names := make([]string, 0, len(s.Resources.Namespaces))
	for ns := range s.Resources.Namespaces {
		names = append(names, ns)
	}
	sort.Strings(names)
	for _, ns := range names {
		step.Namespaces = append(step.Namespaces, probe.KubeNamespace(ns, s.Resources.Namespaces[ns]))
	}
	for _, p := range s.Resources.Pods {
		pod := p.KubePod()
		pod.APIVersion, pod.Kind = "v1", "Pod"
		pod.Status.Phase = v1.PodRunning
		pod.Status.PodIP = p.IP
		pod.Status.PodIPs = []v1.PodIP{{IP: p.IP}}
		step.Pods = append(step.Pods, pod)
	}
	for _, np := range s.Policies {
		copied := np.DeepCopy()
		copied.APIVersion, copied.Kind = "networking.k8s.io/v1", "NetworkPolicy"
		step.Policies = append(step.Policies, copied)
	}
	for _, ns := range step.Namespaces {
		ns.APIVersion, ns.Kind = "v1", "Namespace"
	}

	jobs := (&probe.JobBuilder{TimeoutSeconds: 1}).GetJobsForProbeConfig(s.Resources, config)
	step.Unserved = len(jobs.BadNamedPort) + len(jobs.BadPortProtocol)
	runner := &probe.SimulatedJobRunner{Policies: matcher.BuildNetworkPolicies(true, s.Policies)}
	for _, job := range jobs.Valid {
		r := runner.RunJob(job)
		step.Verdicts = append(step.Verdicts, verdict{
			job.FromKey, job.ToKey, string(job.Protocol), job.ResolvedPort, job.ResolvedPortName,
			*r.Egress == probe.ConnectivityAllowed, *r.Ingress == probe.ConnectivityAllowed,
		})
	}
	return step
}

func cyclonusVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == cyclonusModule {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "cyclonus-cases: %v\n", err)
	os.Exit(1)
}
