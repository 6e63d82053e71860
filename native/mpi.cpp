// MPI for tunelab's data-parallel training, loaded at run time: this addon links against no
// MPI library. load() dlopens the system's libmpi (Open MPI) and resolves every function AND
// every predefined handle with dlsym — Open MPI's MPI_COMM_WORLD, MPI_FLOAT and MPI_SUM are
// addresses of global objects (ompi_mpi_comm_world, ...), so no header is needed either.
//
// Threading: one native "MPI thread" owns MPI. It calls MPI_Init_thread(MPI_THREAD_FUNNELED)
// and every later MPI call, including MPI_Finalize, so the JS thread never enters MPI and keeps
// computing the backward pass while gradients travel. Collectives are issued non-blocking
// (MPI_Iallreduce / MPI_Ibcast / MPI_Ibarrier) in submission order, several in flight at once,
// and driven by MPI_Test with short sleeps: a blocking MPI call would spin a core at 100% that
// the compute threads need, and polling lets a waiter give up after a timeout.
#include <napi.h>

#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using Handle = void*;  // Open MPI: MPI_Comm, MPI_Datatype, MPI_Op, MPI_Request are pointers.

struct Api {
  int (*Init_thread)(int*, char***, int, int*);
  int (*Finalize)();
  int (*Comm_rank)(Handle, int*);
  int (*Comm_size)(Handle, int*);
  int (*Iallreduce)(const void*, void*, int, Handle, Handle, Handle, Handle*);
  int (*Ibcast)(void*, int, Handle, int, Handle, Handle*);
  int (*Ibarrier)(Handle, Handle*);
  int (*Test)(Handle*, int*, void*);
  int (*Get_library_version)(char*, int*);
  Handle comm_world, dt_float, dt_double, dt_byte, op_sum;
};

constexpr int kThreadFunneled = 1;  // same value in Open MPI and MPICH

void* g_lib = nullptr;
Api g_api{};
std::string g_library_path;

enum Kind { kAllreduceF32, kAllreduceF64, kBroadcastBytes, kBarrier };

struct Job {
  int id;
  Kind kind;
  void* send;
  void* recv;
  int count;
  int root;
  Handle request = nullptr;
  bool done = false;
};

std::mutex g_mu;
std::condition_variable g_worker_cv;  // wakes the MPI thread: new job or finalize
std::condition_variable g_done_cv;    // wakes waiters: a job finished, init or finalize done
std::deque<Job*> g_pending;
std::unordered_map<int, Job*> g_jobs;
int g_next_id = 1;
bool g_started = false, g_initialized = false, g_finalize_requested = false, g_finalized = false;
int g_rank = 0, g_size = 1, g_thread_level = -1;
std::string g_init_error;
// JS-thread only: keeps the typed arrays of a job alive until it is waited for.
std::unordered_map<int, std::vector<Napi::ObjectReference>> g_refs;

template <typename F>
bool Resolve(F& fn, const char* name, std::string& missing) {
  fn = reinterpret_cast<F>(dlsym(g_lib, name));
  if (!fn) missing += std::string(missing.empty() ? "" : ", ") + name;
  return fn != nullptr;
}

Handle ResolveObject(const char* name, std::string& missing) {
  void* p = dlsym(g_lib, name);
  if (!p) missing += std::string(missing.empty() ? "" : ", ") + name;
  return p;
}

void Start(Job* j) {
  const Api& a = g_api;
  switch (j->kind) {
    case kAllreduceF32:
      a.Iallreduce(j->send, j->recv, j->count, a.dt_float, a.op_sum, a.comm_world, &j->request);
      break;
    case kAllreduceF64:
      a.Iallreduce(j->send, j->recv, j->count, a.dt_double, a.op_sum, a.comm_world, &j->request);
      break;
    case kBroadcastBytes:
      a.Ibcast(j->recv, j->count, a.dt_byte, j->root, a.comm_world, &j->request);
      break;
    case kBarrier:
      a.Ibarrier(a.comm_world, &j->request);
      break;
  }
}

// The MPI thread: init, then start jobs in submission order and poll them until finalize.
void MpiThread() {
  int provided = -1;
  g_api.Init_thread(nullptr, nullptr, kThreadFunneled, &provided);
  int rank = 0, size = 1;
  g_api.Comm_rank(g_api.comm_world, &rank);
  g_api.Comm_size(g_api.comm_world, &size);
  {
    std::lock_guard<std::mutex> lk(g_mu);
    g_rank = rank;
    g_size = size;
    g_thread_level = provided;
    g_initialized = true;
    if (provided < kThreadFunneled) g_init_error = "the MPI library provides thread level " + std::to_string(provided) + " but MPI_THREAD_FUNNELED is needed";
  }
  g_done_cv.notify_all();
  std::vector<Job*> active;
  for (;;) {
    std::vector<Job*> fresh;
    bool finalize = false;
    {
      std::unique_lock<std::mutex> lk(g_mu);
      if (active.empty()) g_worker_cv.wait(lk, [] { return !g_pending.empty() || g_finalize_requested; });
      while (!g_pending.empty()) {
        fresh.push_back(g_pending.front());
        g_pending.pop_front();
      }
      finalize = g_finalize_requested && g_pending.empty();
    }
    for (Job* j : fresh) {
      Start(j);
      active.push_back(j);
    }
    bool any_done = false;
    for (size_t i = 0; i < active.size();) {
      int flag = 0;
      g_api.Test(&active[i]->request, &flag, nullptr);  // nullptr: MPI_STATUS_IGNORE
      if (flag) {
        {
          std::lock_guard<std::mutex> lk(g_mu);
          active[i]->done = true;
        }
        any_done = true;
        active.erase(active.begin() + static_cast<long>(i));
      } else {
        i++;
      }
    }
    if (any_done) g_done_cv.notify_all();
    if (finalize && active.empty()) break;
    if (!active.empty()) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  g_api.Finalize();
  {
    std::lock_guard<std::mutex> lk(g_mu);
    g_finalized = true;
  }
  g_done_cv.notify_all();
}

// load(paths): dlopens the first library that opens; returns { library, version }.
Napi::Value Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (g_lib) return Napi::String::New(env, g_library_path);
  if (info.Length() != 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "[mpi.load] expected an array of library names");
  Napi::Array names = info[0].As<Napi::Array>();
  std::string tried;
  for (uint32_t i = 0; i < names.Length(); i++) {
    std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    // RTLD_GLOBAL: Open MPI's plugins (mca_*.so) resolve their symbols against libmpi.
    void* h = dlopen(name.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (h) {
      g_lib = h;
      g_library_path = name;
      break;
    }
    const char* err = dlerror();
    tried += "\n  " + name + ": " + (err ? err : "not found");
  }
  if (!g_lib) throw Napi::Error::New(env, "NOT_FOUND" + tried);
  std::string missing;
  Resolve(g_api.Init_thread, "MPI_Init_thread", missing);
  Resolve(g_api.Finalize, "MPI_Finalize", missing);
  Resolve(g_api.Comm_rank, "MPI_Comm_rank", missing);
  Resolve(g_api.Comm_size, "MPI_Comm_size", missing);
  Resolve(g_api.Iallreduce, "MPI_Iallreduce", missing);
  Resolve(g_api.Ibcast, "MPI_Ibcast", missing);
  Resolve(g_api.Ibarrier, "MPI_Ibarrier", missing);
  Resolve(g_api.Test, "MPI_Test", missing);
  Resolve(g_api.Get_library_version, "MPI_Get_library_version", missing);
  g_api.comm_world = ResolveObject("ompi_mpi_comm_world", missing);
  g_api.dt_float = ResolveObject("ompi_mpi_float", missing);
  g_api.dt_double = ResolveObject("ompi_mpi_double", missing);
  g_api.dt_byte = ResolveObject("ompi_mpi_byte", missing);
  g_api.op_sum = ResolveObject("ompi_mpi_op_sum", missing);
  if (!missing.empty()) {
    dlclose(g_lib);
    g_lib = nullptr;
    throw Napi::Error::New(env, "NOT_OPENMPI " + g_library_path + " lacks " + missing);
  }
  return Napi::String::New(env, g_library_path);
}

// init(): starts the MPI thread (once) and waits for MPI_Init_thread; returns { rank, size, threadLevel, version }.
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!g_lib) throw Napi::Error::New(env, "[mpi.init] call load() first");
  std::unique_lock<std::mutex> lk(g_mu);
  if (!g_started) {
    g_started = true;
    new std::thread(MpiThread);  // never joined or destroyed: it ends with MPI_Finalize or the process
  }
  g_done_cv.wait(lk, [] { return g_initialized; });
  if (!g_init_error.empty()) throw Napi::Error::New(env, "[mpi] " + g_init_error);
  Napi::Object out = Napi::Object::New(env);
  out.Set("rank", g_rank);
  out.Set("size", g_size);
  out.Set("threadLevel", g_thread_level);
  return out;
}

// Called before MPI_Init by nobody else: the version string needs no init.
Napi::Value Version(const Napi::CallbackInfo& info) {
  if (!g_lib) throw Napi::Error::New(info.Env(), "[mpi.version] call load() first");
  std::vector<char> buf(8192, 0);
  int len = 0;
  g_api.Get_library_version(buf.data(), &len);
  return Napi::String::New(info.Env(), std::string(buf.data(), static_cast<size_t>(std::max(0, std::min(len, 8191)))));
}

int Enqueue(Napi::Env env, Job* j, std::initializer_list<Napi::Value> keep) {
  std::lock_guard<std::mutex> lk(g_mu);
  if (!g_initialized || g_finalize_requested) {
    delete j;
    throw Napi::Error::New(env, "[mpi] not initialized, or already finalized");
  }
  j->id = g_next_id++;
  g_jobs[j->id] = j;
  g_pending.push_back(j);
  std::vector<Napi::ObjectReference> refs;
  for (const Napi::Value& v : keep) refs.push_back(Napi::Persistent(v.As<Napi::Object>()));
  g_refs[j->id] = std::move(refs);
  g_worker_cv.notify_one();
  return j->id;
}

void* Data(Napi::Env env, const Napi::Value& v, size_t* bytes) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(env, "[mpi] expected a typed array");
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  *bytes = ta.ByteLength();
  if (*bytes > static_cast<size_t>(INT_MAX)) throw Napi::RangeError::New(env, "[mpi] a message is limited to 2^31-1 bytes; split it");
  return static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
}

// allreduceSum(send, recv, isF64): recv = sum over ranks of send; returns a job id.
Napi::Value AllreduceSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3) throw Napi::TypeError::New(env, "[mpi.allreduceSum] expected (send, recv, isF64)");
  size_t sb = 0, rb = 0;
  void* send = Data(env, info[0], &sb);
  void* recv = Data(env, info[1], &rb);
  bool f64 = info[2].As<Napi::Boolean>().Value();
  if (sb != rb) throw Napi::RangeError::New(env, "[mpi.allreduceSum] send and recv differ in size");
  if (send == recv && sb > 0) throw Napi::RangeError::New(env, "[mpi.allreduceSum] send and recv must not overlap");
  int elem = f64 ? 8 : 4;
  auto* j = new Job{0, f64 ? kAllreduceF64 : kAllreduceF32, send, recv, static_cast<int>(sb / elem), 0};
  return Napi::Number::New(env, Enqueue(env, j, {info[0], info[1]}));
}

// broadcastBytes(buf, root): buf on every rank = buf on root; returns a job id.
Napi::Value BroadcastBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2) throw Napi::TypeError::New(env, "[mpi.broadcastBytes] expected (buf, root)");
  size_t b = 0;
  void* buf = Data(env, info[0], &b);
  int root = info[1].As<Napi::Number>().Int32Value();
  auto* j = new Job{0, kBroadcastBytes, nullptr, buf, static_cast<int>(b), root};
  return Napi::Number::New(env, Enqueue(env, j, {info[0]}));
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  auto* j = new Job{0, kBarrier, nullptr, nullptr, 0, 0};
  return Napi::Number::New(info.Env(), Enqueue(info.Env(), j, {}));
}

// wait(id, timeoutMs): true once the job is done (its buffers are then released), false on timeout.
Napi::Value Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int id = info[0].As<Napi::Number>().Int32Value();
  double timeout_ms = info[1].As<Napi::Number>().DoubleValue();
  std::unique_lock<std::mutex> lk(g_mu);
  auto it = g_jobs.find(id);
  if (it == g_jobs.end()) throw Napi::RangeError::New(env, "[mpi.wait] unknown job " + std::to_string(id));
  Job* j = it->second;
  bool ok = g_done_cv.wait_for(lk, std::chrono::duration<double, std::milli>(timeout_ms), [j] { return j->done; });
  if (!ok) return Napi::Boolean::New(env, false);
  g_jobs.erase(it);
  delete j;
  lk.unlock();
  g_refs.erase(id);
  return Napi::Boolean::New(env, true);
}

// finalize(timeoutMs): MPI_Finalize on the MPI thread once every job is done; false on timeout.
Napi::Value Finalize(const Napi::CallbackInfo& info) {
  double timeout_ms = info[0].As<Napi::Number>().DoubleValue();
  std::unique_lock<std::mutex> lk(g_mu);
  if (!g_initialized) return Napi::Boolean::New(info.Env(), true);
  g_finalize_requested = true;
  g_worker_cv.notify_one();
  bool ok = g_done_cv.wait_for(lk, std::chrono::duration<double, std::milli>(timeout_ms), [] { return g_finalized; });
  return Napi::Boolean::New(info.Env(), ok);
}

char g_term_message[1024];
size_t g_term_len = 0;

void OnTerminate(int) {
  ssize_t r = write(STDERR_FILENO, g_term_message, g_term_len);
  (void)r;
  _exit(143);
}

// onTerminate(message): SIGTERM (how mpirun and srun stop the other ranks when one fails)
// prints the message before the process ends, so every rank says why it stopped.
Napi::Value OnTerminateMessage(const Napi::CallbackInfo& info) {
  std::string m = info[0].As<Napi::String>().Utf8Value();
  g_term_len = std::min(m.size(), sizeof(g_term_message));
  std::memcpy(g_term_message, m.data(), g_term_len);
  struct sigaction sa {};
  sa.sa_handler = OnTerminate;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  return info.Env().Undefined();
}

// exitNow(code): ends the process at once, without MPI_Finalize or exit handlers (a peer is
// gone or hung: finalize would wait for it forever). The launcher then stops the other ranks.
Napi::Value ExitNow(const Napi::CallbackInfo& info) {
  int code = info[0].As<Napi::Number>().Int32Value();
  fflush(stdout);
  fflush(stderr);
  _exit(code);
  return info.Env().Undefined();
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("load", Napi::Function::New(env, Load, "load"));
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("allreduceSum", Napi::Function::New(env, AllreduceSum, "allreduceSum"));
  exports.Set("broadcastBytes", Napi::Function::New(env, BroadcastBytes, "broadcastBytes"));
  exports.Set("barrier", Napi::Function::New(env, Barrier, "barrier"));
  exports.Set("wait", Napi::Function::New(env, Wait, "wait"));
  exports.Set("finalize", Napi::Function::New(env, Finalize, "finalize"));
  exports.Set("onTerminate", Napi::Function::New(env, OnTerminateMessage, "onTerminate"));
  exports.Set("exitNow", Napi::Function::New(env, ExitNow, "exitNow"));
  return exports;
}

}  // namespace

NODE_API_MODULE(tunelab_mpi, InitModule)
