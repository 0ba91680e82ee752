// REFERENCE ONLY: not part of secure-sum.
//
// ref_client: the load client for the gRPC reference server, shaped like
// bench/loadgen.c: C channels, each forced onto its own TCP+TLS connection,
// D asynchronous calls in flight on each, all driven by one completion
// queue in one thread.
//
//   ref_client --target 127.0.0.1:PORT --certs DIR --party NAME
//              --mode small|upload|download [--conns C] [--depth D]
//              [--seconds S] [--warmup W] [--bytes B] [--server-pid PID]
//
// prints one "RESULT key=value ..." line, as loadgen does.
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "ref.grpc.pb.h"

namespace {

double
now()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double
self_cpu()
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

// The server's CPU: utime + stime of /proc/PID/stat, which counts every
// thread, those that have exited included (gRPC's pool starts and stops
// threads as it goes).
double
proc_cpu(int pid)
{
	if (pid <= 0)
		return 0;
	std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
	std::string line;
	if (!std::getline(f, line))
		return 0;
	size_t close = line.rfind(')');
	if (close == std::string::npos)
		return 0;
	std::istringstream rest(line.substr(close + 2));
	std::string field;
	unsigned long long ut = 0, st = 0;
	for (int i = 3; i <= 15 && rest >> field; i++) {
		if (i == 14)
			ut = std::stoull(field);
		else if (i == 15)
			st = std::stoull(field);
	}
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

long
proc_rss_kb(int pid)
{
	std::ifstream f("/proc/" + std::to_string(pid) + "/status");
	std::string line;
	while (std::getline(f, line))
		if (line.rfind("VmRSS:", 0) == 0)
			return std::atol(line.c_str() + 6);
	return 0;
}

std::string
slurp(const std::string &path)
{
	std::ifstream f(path);
	if (!f) {
		std::cerr << "ref_client: cannot read " << path << "\n";
		std::exit(1);
	}
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

struct Call {
	int chan;
	grpc::ClientContext ctx;
	grpc::Status status;
	benchref::SmallResponse small;
	benchref::Ack ack;
	benchref::Blob blob;
	std::unique_ptr<grpc::ClientAsyncResponseReader<benchref::SmallResponse>> r1;
	std::unique_ptr<grpc::ClientAsyncResponseReader<benchref::Ack>> r2;
	std::unique_ptr<grpc::ClientAsyncResponseReader<benchref::Blob>> r3;
};

} // namespace

int
main(int argc, char **argv)
{
	std::string target, certs = "certs", party = "p0001", mode = "small";
	int conns = 1, depth = 1, pid = 0;
	double seconds = 3, warmup = 0.5;
	size_t bytes = 1 << 20;

	for (int i = 1; i + 1 < argc; i += 2) {
		std::string a = argv[i], v = argv[i + 1];
		if (a == "--target") target = v;
		else if (a == "--certs") certs = v;
		else if (a == "--party") party = v;
		else if (a == "--mode") mode = v;
		else if (a == "--conns") conns = std::stoi(v);
		else if (a == "--depth") depth = std::stoi(v);
		else if (a == "--seconds") seconds = std::stod(v);
		else if (a == "--warmup") warmup = std::stod(v);
		else if (a == "--bytes") bytes = std::stoul(v);
		else if (a == "--server-pid") pid = std::stoi(v);
		else {
			std::cerr << "ref_client: unknown option " << a << "\n";
			return 2;
		}
	}
	grpc::SslCredentialsOptions opts;
	opts.pem_root_certs = slurp(certs + "/ca.crt");
	opts.pem_private_key = slurp(certs + "/" + party + ".key");
	opts.pem_cert_chain = slurp(certs + "/" + party + ".crt");
	auto creds = grpc::SslCredentials(opts);

	std::vector<std::unique_ptr<benchref::Ref::Stub>> stubs;
	for (int i = 0; i < conns; i++) {
		grpc::ChannelArguments args;
		// One connection per channel, as loadgen opens one per slot.
		args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
		args.SetInt("bench.channel", i);
		args.SetSslTargetNameOverride("localhost");
		args.SetMaxReceiveMessageSize(256 << 20);
		args.SetMaxSendMessageSize(256 << 20);
		stubs.push_back(benchref::Ref::NewStub(
		    grpc::CreateCustomChannel(target, creds, args)));
	}

	benchref::SmallRequest small;
	small.set_session_id("lg-rate-reference");
	small.set_party(party);
	small.add_values(0x123456789abcdefull);
	benchref::Blob blob;
	blob.mutable_data()->assign(bytes, '\x33');
	benchref::Want want;
	want.set_length(bytes);

	grpc::CompletionQueue cq;
	auto issue = [&](int chan) {
		Call *c = new Call;
		c->chan = chan;
		if (mode == "small") {
			c->r1 = stubs[chan]->PrepareAsyncSmall(&c->ctx, small, &cq);
			c->r1->StartCall();
			c->r1->Finish(&c->small, &c->status, c);
		} else if (mode == "upload") {
			c->r2 = stubs[chan]->PrepareAsyncUpload(&c->ctx, blob, &cq);
			c->r2->StartCall();
			c->r2->Finish(&c->ack, &c->status, c);
		} else {
			c->r3 = stubs[chan]->PrepareAsyncDownload(&c->ctx, want, &cq);
			c->r3->StartCall();
			c->r3->Finish(&c->blob, &c->status, c);
		}
	};
	for (int i = 0; i < conns; i++)
		for (int d = 0; d < depth; d++)
			issue(i);

	double t_start = now(), t0 = 0, cpu0 = 0, self0 = 0;
	long count = 0, inflight = (long)conns * depth;
	bool measuring = false, stopping = false;
	double t1 = 0, cpu1 = 0, self1 = 0;
	while (inflight > 0) {
		void *tag;
		bool ok;
		if (!cq.Next(&tag, &ok))
			break;
		Call *c = static_cast<Call *>(tag);
		inflight--;
		if (!ok || !c->status.ok()) {
			std::cerr << "ref_client: call failed: " << c->status.error_message()
			    << "\n";
			return 1;
		}
		if (measuring)
			count++;
		double t = now();
		if (!measuring && !stopping && t - t_start >= warmup) {
			measuring = true;
			t0 = t;
			cpu0 = proc_cpu(pid);
			self0 = self_cpu();
		} else if (measuring && t - t0 >= seconds) {
			measuring = false;
			stopping = true;
			t1 = t;
			cpu1 = proc_cpu(pid);
			self1 = self_cpu();
		}
		int chan = c->chan;
		delete c;
		if (!stopping) {
			issue(chan);
			inflight++;
		}
	}
	double wall = t1 - t0, scpu = cpu1 - cpu0;
	double per = mode == "small" ? 0 : (double)bytes;
	std::printf("RESULT mode=grpc_%s phase=%s wall=%.6f server_cpu=%.6f "
	    "loadgen_cpu=%.6f server_rss_kb=%ld conns=%d depth=%d rpcs=%ld "
	    "rate=%.1f rate_per_server_cpu=%.1f mb_per_s=%.1f bytes=%zu\n",
	    mode.c_str(), mode.c_str(), wall, scpu, self1 - self0,
	    proc_rss_kb(pid), conns, depth, count, count / wall,
	    scpu > 0 ? count / scpu : 0.0, count * per / wall / 1e6, bytes);
	return 0;
}
