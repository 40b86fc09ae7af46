// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// SPEC §11: the cost of running a hook, against emitting a Qt signal to as many direct-connected
// slots, measured in the same process and printed as ratios with their targets.
//
// Every slot and handler does the same trivial work — increment a counter through a pointer, so
// the compiler cannot drop it — and every benchmark checks afterwards that each of them ran.
#include "benchreport.h"

#include <mortar/app.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QObject>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace MortarBench {

// Handlers (and slots) per run; SPEC §11 says 100 000. --mortar_handlers=N changes it, e.g. to
// profile a smaller run under callgrind; the ratio table names the count it measured.
qint64 g_handlerCount = 100'000;

/*! The reference: a signal with many direct-connected slots. */
class Emitter final : public QObject
{
    Q_OBJECT

Q_SIGNALS:
    void fired();
};

/*! An App with g_handlerCount pre_close handlers (plus its built-in App::preClose() one), each
    incrementing \a hits. Default handler names, as an application's `add(hook, lambda)` gets. */
std::unique_ptr<Mortar::App> makeApp(quint64 *hits)
{
    auto app = std::make_unique<Mortar::App>(Mortar::AppOptions{.label = u"bench"_s});
    for (qint64 i = 0; i < g_handlerCount; ++i)
        app->hooks().add(u"pre_close"_s, [hits] { ++*hits; });
    return app;
}

/*! Destroys \a app without counting the handler calls of the close its destructor runs. */
void destroyApp(std::unique_ptr<Mortar::App> &app, quint64 *hits)
{
    const quint64 counted = *hits;
    app.reset();
    *hits = counted;
}

bool checkHits(benchmark::State &state, quint64 hits, quint64 runs)
{
    if (state.error_occurred())
        return false;
    if (hits == runs * quint64(g_handlerCount))
        return true;
    state.SkipWithError("not every handler (or slot) ran exactly once per iteration");
    return false;
}

void BM_QtSignal(benchmark::State &state)
{
    Emitter emitter;
    // One context object for every slot: the hooks' handlers have none, and Qt allocates each
    // connection and its slot object as the registry allocates each handler.
    QObject context;
    quint64 hits = 0;
    quint64 *const counter = &hits;
    for (qint64 i = 0; i < g_handlerCount; ++i) {
        QObject::connect(
                &emitter, &Emitter::fired, &context, [counter] { ++*counter; },
                Qt::DirectConnection);
    }
    for (auto _ : state) {
        Q_EMIT emitter.fired();
        benchmark::ClobberMemory();
    }
    checkHits(state, hits, quint64(state.iterations()));
}

/*! hooks().run("pre_close"), traced to memory or not. */
void runPreClose(benchmark::State &state, bool traced)
{
    quint64 hits = 0;
    auto app = makeApp(&hits);
    app->trace().setEnabled(traced);
    const qsizetype expectedResults = g_handlerCount + 1; // + the built-in App::preClose()

    // Traced, each run adds 2 events per handler (+ hook.begin/end) to the in-memory trace. So
    // that every timed run records into a trace within its capacity (default 1 000 000 events),
    // as an App's own pre_close would, rather than timing the trace's trimming of old events, the
    // App is replaced, untimed, before a run that would leave no room for the close its destructor
    // runs: with 100 000 handlers a timed run finds 0, 1 or 2 earlier runs in the trace.
    const qsizetype eventsPerRun = 2 * expectedResults + 2;
    qsizetype traceSize = app->trace().size();
    const qsizetype capacity = app->trace().capacity();

    for (auto _ : state) {
        if (traced && traceSize + 2 * eventsPerRun > capacity) {
            state.PauseTiming();
            destroyApp(app, &hits);
            app = makeApp(&hits);
            traceSize = app->trace().size();
            state.ResumeTiming();
        }
        // Timed with the HookRun's destruction: every caller of run() gets one and drops it.
        const Mortar::HookRun run = app->hooks().run(u"pre_close"_s);
        benchmark::DoNotOptimize(run);
        if (run.handlerCount() != expectedResults) { // not results(): built on demand
            state.SkipWithError("pre_close did not run every handler");
            break;
        }
        traceSize += traced ? eventsPerRun : 0;
    }
    if (checkHits(state, hits, quint64(state.iterations())) && traced
        && app->trace().size() != traceSize) {
        state.SkipWithError("the trace did not record the events the benchmark expected");
    }
    destroyApp(app, &hits);
}

void BM_HooksRunTraced(benchmark::State &state)
{
    runPreClose(state, true);
}

void BM_HooksRunUntraced(benchmark::State &state)
{
    runPreClose(state, false);
}

/*! A whole app.close(): pre_close with its handlers, post_close, state changes, trace (on). close()
    runs once per App, so each iteration builds a fresh App untimed and destroys it untimed. */
void BM_AppClose(benchmark::State &state)
{
    quint64 hits = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto app = makeApp(&hits);
        state.ResumeTiming();

        app->close();

        state.PauseTiming();
        const bool closed = app->state() == Mortar::App::State::Closed && app->exitCode() == 0;
        destroyApp(app, &hits);
        state.ResumeTiming();
        if (!closed) {
            state.SkipWithError("app.close() did not end in state Closed with exit code 0");
            break;
        }
    }
    checkHits(state, hits, quint64(state.iterations()));
}

/*! The black box's cost (SPEC §15, AppOptions::blackBox): a whole app.close() with
    g_handlerCount pre_close handlers after setup(), with the black box on or off, its file in a
    temporary state directory (XDG_STATE_HOME, set in main()). Building, setup() and destroying
    the App are untimed; the close includes writing the black box (its finish() is part of it). */
void closeWithBlackBox(benchmark::State &state, bool blackBox)
{
    quint64 hits = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto app = std::make_unique<Mortar::App>(Mortar::AppOptions{
                .label = u"bench-blackbox"_s,
                .arguments = {u"mortar-benchmarks"_s},
                .catchSignals = {},
                .blackBox = blackBox,
        });
        for (qint64 i = 0; i < g_handlerCount; ++i)
            app->hooks().add(u"pre_close"_s, [&hits] { ++hits; });
        const Mortar::Result setUp = app->setup();
        state.ResumeTiming();

        app->close();

        state.PauseTiming();
        const bool closed =
                bool(setUp) && app->state() == Mortar::App::State::Closed && app->exitCode() == 0;
        destroyApp(app, &hits);
        state.ResumeTiming();
        if (!closed) {
            state.SkipWithError("setup() failed, or app.close() did not end in state Closed");
            break;
        }
    }
    checkHits(state, hits, quint64(state.iterations()));
}

void BM_AppCloseBlackBoxOff(benchmark::State &state)
{
    closeWithBlackBox(state, false);
}

void BM_AppCloseBlackBoxOn(benchmark::State &state)
{
    closeWithBlackBox(state, true);
}

/*! SPEC §11's trace file sink: a pre_close run of g_handlerCount handlers with a trace file
    open, as events per second and bytes per event of the file. The file is truncated (untimed)
    when it passes 256 MB, the in-memory trace bounded by its capacity as usual. */
void BM_TraceFile(benchmark::State &state)
{
    const QString path = QDir::temp().filePath(
            u"mortar-bench-%1.jsonl"_s.arg(QCoreApplication::applicationPid()));
    quint64 hits = 0;
    auto app = std::make_unique<Mortar::App>(
            Mortar::AppOptions{.label = u"bench"_s, .traceFile = path});
    for (qint64 i = 0; i < g_handlerCount; ++i)
        app->hooks().add(u"pre_close"_s, [&hits] { ++hits; });
    qint64 events = 0;
    qint64 bytes = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const qint64 sizeBefore = QFileInfo(path).size();
        const qsizetype eventsBefore = app->trace().size() + app->trace().droppedCount();
        state.ResumeTiming();

        const Mortar::HookRun run = app->hooks().run(u"pre_close"_s);
        benchmark::DoNotOptimize(run);

        state.PauseTiming();
        events += app->trace().size() + app->trace().droppedCount() - eventsBefore;
        bytes += QFileInfo(path).size() - sizeBefore;
        if (QFileInfo(path).size() > 256 * 1024 * 1024) { // keep the disk out of it
            destroyApp(app, &hits);
            app = std::make_unique<Mortar::App>(
                    Mortar::AppOptions{.label = u"bench"_s, .traceFile = path});
            for (qint64 i = 0; i < g_handlerCount; ++i)
                app->hooks().add(u"pre_close"_s, [&hits] { ++hits; });
        }
        state.ResumeTiming();
    }
    destroyApp(app, &hits);
    QFile::remove(path);
    state.counters["events_per_s"] =
            benchmark::Counter(double(events), benchmark::Counter::kIsRate);
    state.counters["bytes_per_event"] = events ? double(bytes) / double(events) : 0.0;
    checkHits(state, hits, quint64(state.iterations()));
}

/*! SPEC §11's registration row, the reference: QObject::connect of \a count slots to one signal,
    with one context object (as BM_QtSignal). The emitter is built and destroyed untimed. */
void connectSlots(benchmark::State &state, qint64 count)
{
    quint64 hits = 0;
    quint64 *const counter = &hits;
    for (auto _ : state) {
        state.PauseTiming();
        auto emitter = std::make_unique<Emitter>();
        auto context = std::make_unique<QObject>();
        state.ResumeTiming();
        for (qint64 i = 0; i < count; ++i) {
            QObject::connect(
                    emitter.get(), &Emitter::fired, context.get(), [counter] { ++*counter; },
                    Qt::DirectConnection);
        }
        state.PauseTiming();
        context.reset();
        emitter.reset();
        state.ResumeTiming();
    }
}

/*! hooks().add() of \a count pre_close handlers to a fresh (traced) App, each of weight 0, or of
    weight i % 100 when \a mixed (a level each, added round robin: every add lands in the middle
    of the run order). The App is built and destroyed untimed. */
void addHandlers(benchmark::State &state, qint64 count, bool mixed)
{
    quint64 hits = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto app = std::make_unique<Mortar::App>(Mortar::AppOptions{.label = u"bench"_s});
        state.ResumeTiming();
        for (qint64 i = 0; i < count; ++i) {
            app->hooks().add(u"pre_close"_s, [&hits] { ++hits; },
                             {.weight = mixed ? int(i % 100) : 0});
        }
        state.PauseTiming();
        if (app->hooks().handlers(u"pre_close"_s).size() != count + 1) {
            state.SkipWithError("add() did not register every handler");
            break;
        }
        destroyApp(app, &hits);
        state.ResumeTiming();
    }
}

// The registration counts of SPEC §11's add() row.
constexpr qint64 g_addCounts[] = {10'000, 100'000, 1'000'000};

std::string addName(const char *prefix, qint64 count)
{
    return std::string(prefix) + "/" + std::to_string(count);
}

void registerAddBenchmarks()
{
    for (const qint64 count : g_addCounts) {
        // Fewer iterations for more handlers: each is a whole registration of `count`.
        const int iterations = count >= 1'000'000 ? 2 : count >= 100'000 ? 5 : 20;
        benchmark::RegisterBenchmark(
                addName("BM_QtConnect", count).c_str(),
                [count](benchmark::State &state) { connectSlots(state, count); })
                ->Unit(benchmark::kMillisecond)
                ->Iterations(iterations);
        benchmark::RegisterBenchmark(
                addName("BM_HooksAdd", count).c_str(),
                [count](benchmark::State &state) { addHandlers(state, count, false); })
                ->Unit(benchmark::kMillisecond)
                ->Iterations(iterations);
        benchmark::RegisterBenchmark(
                addName("BM_HooksAddMixedWeights", count).c_str(),
                [count](benchmark::State &state) { addHandlers(state, count, true); })
                ->Unit(benchmark::kMillisecond)
                ->Iterations(iterations);
    }
}

// The reference first, so the table compares measurements taken back to back. Iteration counts
// keep the whole binary under a minute on a slow 2-core machine; the Mortar ones rebuild Apps
// untimed (100 000 registrations each), which is where most of the wall time goes.
BENCHMARK(BM_QtSignal)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_HooksRunTraced)->Unit(benchmark::kMillisecond)->Iterations(60);
BENCHMARK(BM_HooksRunUntraced)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_AppClose)->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK(BM_TraceFile)->Unit(benchmark::kMillisecond)->Iterations(10)->UseRealTime();
// Real time: the black box's flusher thread works alongside the close.
BENCHMARK(BM_AppCloseBlackBoxOff)->Unit(benchmark::kMillisecond)->Iterations(10)->UseRealTime();
BENCHMARK(BM_AppCloseBlackBoxOn)->Unit(benchmark::kMillisecond)->Iterations(10)->UseRealTime();

bool printTraceFileSink(const MeasuringReporter &reporter);
bool printRegistration(const MeasuringReporter &reporter);
bool printBlackBox(const MeasuringReporter &reporter);

/*! Prints the ratio table; false if a benchmark of it failed (one filtered out is only noted). */
bool printRatios(const MeasuringReporter &reporter)
{
    struct Row
    {
        const char *benchmark;
        const char *what;
        double target; // ratio against the reference; 0: the reference, < 0: informational
    };
    const Row rows[] = {
            {"BM_QtSignal", "Qt signal, direct slots (reference)", 0.0},
            {"BM_HooksRunTraced", "hooks().run(pre_close), traced", 2.0},
            {"BM_HooksRunUntraced", "hooks().run(pre_close), untraced", 0.75},
            {"BM_AppClose", "app.close(), traced", 3.0},
    };

    std::printf("\nMortar against a Qt signal, %lld handlers / slots, measured in this run "
                "(SPEC §11)\n",
                static_cast<long long>(g_handlerCount));
    std::printf("%-36s %11s %11s %7s %7s  %s\n", "what", "ms per run", "ns/handler", "ratio",
                "target", "result");
    bool ok = true;
    const double reference = reporter.ms(rows[0].benchmark);
    for (const Row &row : rows) {
        const double ms = reporter.ms(row.benchmark);
        if (ms < 0) {
            std::printf("%-36s %s\n", row.what, reporter.describeMissing(row.benchmark).c_str());
            ok = ok && !reporter.failed(row.benchmark);
            continue;
        }
        const double nsPerHandler = ms * 1e6 / double(g_handlerCount);
        char ratio[16] = "n/a";
        char target[16] = "";
        const char *result = "";
        if (reference > 0) {
            std::snprintf(ratio, sizeof ratio, "%.2f", ms / reference);
            if (row.target > 0) {
                std::snprintf(target, sizeof target, "<= %.2g", row.target);
                result = ms / reference <= row.target ? "PASS" : "MISS";
            } else if (row.target < 0) {
                std::snprintf(target, sizeof target, "info");
            }
        }
        std::printf("%-36s %11.3f %11.1f %7s %7s  %s\n", row.what, ms, nsPerHandler, ratio, target,
                    result);
    }
    ok = printRegistration(reporter) && ok;
    ok = printTraceFileSink(reporter) && ok;
    ok = printBlackBox(reporter) && ok;
    std::fflush(stdout);
    return ok;
}

/*! SPEC §11's add() row: each count against QObject::connect of as many slots (<= 2x), and the
    cost per handler at the largest count against that at the smallest (<= 1.5x: linear). */
bool printRegistration(const MeasuringReporter &reporter)
{
    std::printf("\nRegistration (SPEC §11): add() against QObject::connect of as many slots\n");
    std::printf("%-36s %11s %11s %7s %7s  %s\n", "what", "ms", "ns/handler", "ratio", "target",
                "result");
    bool ok = true;
    for (const char *variant : {"BM_HooksAdd", "BM_HooksAddMixedWeights"}) {
        const bool mixed = std::strcmp(variant, "BM_HooksAddMixedWeights") == 0;
        double firstNs = -1;
        double lastNs = -1;
        for (const qint64 count : g_addCounts) {
            const std::string name = addName(variant, count);
            const std::string reference = addName("BM_QtConnect", count);
            const double ms = reporter.ms(name);
            const double refMs = reporter.ms(reference);
            char what[64];
            std::snprintf(what, sizeof what, "add() %lld%s", static_cast<long long>(count),
                          mixed ? ", weights i % 100" : ", weight 0");
            if (ms < 0 || refMs <= 0) {
                std::printf("%-36s %s\n", what,
                            reporter.describeMissing(ms < 0 ? name : reference).c_str());
                ok = ok && !reporter.failed(name) && !reporter.failed(reference);
                continue;
            }
            const double nsPerHandler = ms * 1e6 / double(count);
            if (count == g_addCounts[0])
                firstNs = nsPerHandler;
            lastNs = nsPerHandler;
            if (!mixed) {
                std::printf("%-36s %11.3f %11.1f %7s %7s\n",
                            ("connect() " + std::to_string(count) + " (reference)").c_str(), refMs,
                            refMs * 1e6 / double(count), "", "");
            }
            std::printf("%-36s %11.3f %11.1f %7.2f %7s  %s\n", what, ms, nsPerHandler, ms / refMs,
                        "<= 2", ms / refMs <= 2.0 ? "PASS" : "MISS");
        }
        if (firstNs > 0 && lastNs > 0) {
            const double growth = lastNs / firstNs;
            std::printf("%-36s %11s %11s %7.2f %7s  %s\n",
                        mixed ? "linear: per handler 1M / 10k, mixed"
                              : "linear: per handler 1M / 10k",
                        "", "", growth, "<= 1.5", growth <= 1.5 ? "PASS" : "MISS");
        }
    }
    return ok;
}

/*! The trace file sink against its absolute targets (SPEC §11). */
bool printTraceFileSink(const MeasuringReporter &reporter)
{
    const double rate = reporter.counter("BM_TraceFile", "events_per_s");
    const double size = reporter.counter("BM_TraceFile", "bytes_per_event");
    if (reporter.ms("BM_TraceFile") < 0 || rate < 0 || size < 0) {
        std::printf("%-36s %s\n", "trace file sink",
                    reporter.describeMissing("BM_TraceFile").c_str());
        return !reporter.failed("BM_TraceFile");
    }
    std::printf("\nTrace file sink (SPEC §11), a traced pre_close run writing its trace file\n");
    std::printf("%-36s %11.2f M/s  target >= 3.00 M/s  %s\n", "events written per second",
                rate / 1e6, rate >= 3e6 ? "PASS" : "MISS");
    std::printf("%-36s %11.1f     target <= 150       %s\n", "bytes per event", size,
                size <= 150 ? "PASS" : "MISS");
    return true;
}

/*! The black box's cost: a close with it against the same close without (target: nothing
    measurable, <= 1.05x). */
bool printBlackBox(const MeasuringReporter &reporter)
{
    const double on = reporter.ms("BM_AppCloseBlackBoxOn");
    const double off = reporter.ms("BM_AppCloseBlackBoxOff");
    if (on < 0 || off <= 0) {
        const char *missing = on < 0 ? "BM_AppCloseBlackBoxOn" : "BM_AppCloseBlackBoxOff";
        std::printf("%-36s %s\n", "black box", reporter.describeMissing(missing).c_str());
        return !reporter.failed("BM_AppCloseBlackBoxOn")
                && !reporter.failed("BM_AppCloseBlackBoxOff");
    }
    std::printf("\nBlack box (SPEC §15), app.close() of %lld handlers after setup(), on against "
                "off\n",
                static_cast<long long>(g_handlerCount));
    std::printf("%-36s %11.3f ms\n", "black box off", off);
    std::printf("%-36s %11.3f ms  ratio %.2f  target <= 1.05  %s\n", "black box on", on, on / off,
                verdict(on / off <= 1.05));
    return true;
}

/*! SPEC §11's in-memory row: what a traced pre_close run adds to the trace per handler event,
    as the trace accounts it and as malloc sees it (heap in use before and after the run). Two
    runs, of g_handlerCount and of twice as many handlers: their difference is handler events
    only (the hook's own hook.begin and hook.end cancel out). */
bool printTraceMemory()
{
    struct Growth
    {
        double traceBytes;
        double heapBytes;
        double events;
    };
    const auto measure = [](qint64 handlers) {
        quint64 hits = 0;
        const qint64 saved = g_handlerCount;
        g_handlerCount = handlers;
        auto app = makeApp(&hits);
        g_handlerCount = saved;
        app->trace().setCapacity(10'000'000); // nothing dropped: what is recorded is counted
        app->hooks().run(u"pre_close"_s);     // the plan is built
        const qint64 bytesBefore = app->trace().sizeInBytes();
        const qsizetype eventsBefore = app->trace().size() + app->trace().droppedCount();
        const size_t heapBefore = mallinfo2().uordblks;
        {
            const Mortar::HookRun run = app->hooks().run(u"pre_close"_s);
            benchmark::DoNotOptimize(run);
        }
        const Growth growth{
                double(app->trace().sizeInBytes() - bytesBefore),
                double(mallinfo2().uordblks) - double(heapBefore),
                double(app->trace().size() + app->trace().droppedCount() - eventsBefore)};
        destroyApp(app, &hits);
        return growth;
    };
    const qint64 small = std::min<qint64>(g_handlerCount, 100'000);
    const Growth one = measure(small);
    const Growth two = measure(2 * small);
    const double events = two.events - one.events;
    const double accounted = (two.traceBytes - one.traceBytes) / events;
    const double heap = (two.heapBytes - one.heapBytes) / events;
    std::printf("\nIn-memory trace (SPEC §11), per handler event of a traced pre_close run "
                "(%lld against %lld handlers)\n",
                static_cast<long long>(2 * small), static_cast<long long>(small));
    std::printf("%-36s %11.2f     target <= 48        %s\n", "bytes (the trace's count)", accounted,
                accounted <= 48 ? "PASS" : "MISS");
    std::printf("%-36s %11.2f     target <= 48        %s\n", "bytes (heap growth)", heap,
                heap <= 48 ? "PASS" : "MISS");
    return true;
}

/*! Takes --mortar_handlers=N out of the arguments. False if it is malformed. */
bool parseOwnArguments(int *argc, char **argv)
{
    static const char flag[] = "--mortar_handlers=";
    int kept = 1;
    for (int i = 1; i < *argc; ++i) {
        if (std::strncmp(argv[i], flag, sizeof flag - 1) == 0) {
            char *end = nullptr;
            const long long n = std::strtoll(argv[i] + sizeof flag - 1, &end, 10);
            if (!end || *end != '\0' || n < 1) {
                std::fprintf(stderr, "Invalid %s: expected a positive number\n", argv[i]);
                return false;
            }
            g_handlerCount = n;
        } else {
            argv[kept++] = argv[i];
        }
    }
    *argc = kept;
    argv[kept] = nullptr;
    return true;
}

} // namespace MortarBench

int main(int argc, char **argv)
{
    if (!MortarBench::parseOwnArguments(&argc, argv))
        return 2;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    // The black box rows write <state dir>/bench-blackbox/: a temporary one, not the user's.
    const std::string stateDir = "/tmp/mortar-bench-state-" + std::to_string(::getpid());
    ::setenv("XDG_STATE_HOME", stateDir.c_str(), 1);
    QCoreApplication qtApp(argc, argv); // Mortar::App needs one

    MortarBench::registerAddBenchmarks();
    MortarBench::MeasuringReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    const bool ok = MortarBench::printRatios(reporter);
    MortarBench::printTraceMemory();
    QDir(QString::fromStdString(stateDir)).removeRecursively();
    return ok ? 0 : 1;
}

#include "bench_hooks.moc"
