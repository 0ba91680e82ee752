// REFERENCE ONLY: not part of secure-sum.
//
// ref_server: a plain synchronous gRPC C++ server with mutual TLS, the
// comparison point of `make bench` (bench/bench.py). It uses the same
// server.crt/server.key and requires client certificates issued by the same
// ca.crt as mpc-server.
//
//   ref_server --listen 127.0.0.1:0 --certs DIR
//
// prints "listening on HOST:PORT" once it serves, and runs until killed.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <grpcpp/grpcpp.h>

#include "ref.grpc.pb.h"

namespace {

std::string
slurp(const std::string &path)
{
	std::ifstream f(path);
	if (!f) {
		std::cerr << "ref_server: cannot read " << path << "\n";
		std::exit(1);
	}
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

class RefImpl final : public benchref::Ref::Service {
public:
	explicit RefImpl(size_t max) : blob_(max, '\x5a') {}

	grpc::Status Small(grpc::ServerContext *, const benchref::SmallRequest *req,
	    benchref::SmallResponse *resp) override
	{
		// The checks a PostSumpoint needs before its store lookup.
		if (req->session_id().empty() || req->party().empty() ||
		    req->values_size() < 1)
			return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad");
		for (auto v : req->values())
			if (v >= 0x1FFFFFFFFFFFFFFFull)
				return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
				    "value out of range");
		resp->set_duplicate(true);
		return grpc::Status::OK;
	}

	grpc::Status Upload(grpc::ServerContext *, const benchref::Blob *req,
	    benchref::Ack *resp) override
	{
		resp->set_length(req->data().size());
		return grpc::Status::OK;
	}

	grpc::Status Download(grpc::ServerContext *, const benchref::Want *req,
	    benchref::Blob *resp) override
	{
		size_t n = req->length() < blob_.size() ? req->length() : blob_.size();
		resp->set_data(blob_.data(), n);
		return grpc::Status::OK;
	}

private:
	std::string blob_;
};

} // namespace

int
main(int argc, char **argv)
{
	std::string listen = "127.0.0.1:0", certs = "certs";

	for (int i = 1; i + 1 < argc; i += 2) {
		std::string a = argv[i];
		if (a == "--listen")
			listen = argv[i + 1];
		else if (a == "--certs")
			certs = argv[i + 1];
		else {
			std::cerr << "usage: ref_server --listen HOST:PORT --certs DIR\n";
			return 2;
		}
	}
	grpc::SslServerCredentialsOptions opts(
	    GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
	opts.pem_root_certs = slurp(certs + "/ca.crt");
	opts.pem_key_cert_pairs.push_back(
	    { slurp(certs + "/server.key"), slurp(certs + "/server.crt") });

	RefImpl service(64u << 20);
	grpc::ServerBuilder builder;
	int port = 0;
	builder.AddListeningPort(listen, grpc::SslServerCredentials(opts), &port);
	builder.RegisterService(&service);
	builder.SetMaxReceiveMessageSize(256 << 20);
	builder.SetMaxSendMessageSize(256 << 20);
	std::unique_ptr<grpc::Server> server(builder.BuildAndStart());
	if (!server || port == 0) {
		std::cerr << "ref_server: cannot listen on " << listen << "\n";
		return 1;
	}
	std::string host = listen.substr(0, listen.rfind(':'));
	std::cout << "listening on " << host << ":" << port << std::endl;
	server->Wait();
	return 0;
}
