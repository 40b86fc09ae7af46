// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// SPEC §11: constructing an App and running setup() with 20 plugins, ≤ 50 ms.
//
// The plugins are 20 real libraries built next to this program (benchmarks/CMakeLists.txt:
// bench01 … bench20, some depending on others), each registering a pre_close handler in its
// load(). The first setup() of the process opens every file for the first time (dlopen,
// relocations, Qt's plugin metadata scan); later ones find them loaded (the plugin manager never
// unmaps a plugin). Both are reported: the first one apart, the steady state by the benchmark.
#include "benchreport.h"

#include <mortar/app.h>
#include <mortar/hookregistry.h>
#include <mortar/pluginmanager.h>

#include <QCoreApplication>
#include <QElapsedTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace MortarBench {

constexpr double TargetMs = 50;
constexpr int PluginCount = 20;

// The first construct + setup() with the plugins in this process; -1 until measured.
double g_coldMs = -1;

QStringList pluginNames()
{
    return QString::fromLatin1(MORTAR_BENCH_PLUGINS).split(u',');
}

/*! Constructs the App and runs setup(): what is timed. */
std::unique_ptr<Mortar::App> setUpApp(const QStringList &plugins, Mortar::Result *result)
{
    auto app = std::make_unique<Mortar::App>(
            Mortar::AppOptions{.label = u"bench-plugins"_s,
                               .arguments = {u"bench"_s},
                               .plugins = plugins,
                               .pluginDirs = {QString::fromLocal8Bit(MORTAR_BENCH_PLUGIN_DIR)}});
    *result = app->setup();
    return app;
}

/*! Empty if \a app has every plugin of \a plugins loaded with its pre_close handler. */
QString checkApp(Mortar::App &app, const Mortar::Result &result, const QStringList &plugins)
{
    if (!result)
        return u"setup() failed: %1"_s.arg(result.errorString());
    qsizetype loaded = 0;
    for (const Mortar::PluginInfo &plugin : app.plugins().plugins())
        loaded += plugin.state == Mortar::PluginInfo::State::Loaded ? 1 : 0;
    if (loaded != plugins.size())
        return u"%1 of %2 plugins loaded"_s.arg(loaded).arg(plugins.size());
    // Each plugin's handler, and the App's own.
    if (app.hooks().handlers(u"pre_close"_s).size() != plugins.size() + 1)
        return u"not every plugin registered its pre_close handler"_s;
    return {};
}

void appSetup(benchmark::State &state, const QStringList &plugins)
{
    if (!plugins.isEmpty() && g_coldMs < 0) {
        // Once per process, before the benchmark's own iterations: the first opening of the files.
        QElapsedTimer timer;
        timer.start();
        Mortar::Result result;
        std::unique_ptr<Mortar::App> app = setUpApp(plugins, &result);
        g_coldMs = double(timer.nsecsElapsed()) / 1e6;
        if (const QString error = checkApp(*app, result, plugins); !error.isEmpty()) {
            state.SkipWithError(qPrintable(error));
            return;
        }
    }
    for (auto _ : state) {
        Mortar::Result result;
        std::unique_ptr<Mortar::App> app = setUpApp(plugins, &result);

        state.PauseTiming();
        const QString error = checkApp(*app, result, plugins);
        app.reset(); // its close and the plugins' unloading are not part of the figure
        state.ResumeTiming();
        if (!error.isEmpty()) {
            state.SkipWithError(qPrintable(error));
            break;
        }
    }
}

void BM_AppSetupWithPlugins(benchmark::State &state)
{
    appSetup(state, pluginNames());
}

void BM_AppSetupWithoutPlugins(benchmark::State &state)
{
    appSetup(state, {});
}

// With plugins first: its first setup() is the process's first App.
BENCHMARK(BM_AppSetupWithPlugins)->Unit(benchmark::kMillisecond)->Iterations(100)->UseRealTime();
BENCHMARK(BM_AppSetupWithoutPlugins)->Unit(benchmark::kMillisecond)->Iterations(100)->UseRealTime();

bool printTable(const MeasuringReporter &reporter)
{
    std::printf("\nApp construct + setup() with %d plugins (SPEC §11; target <= %.0f ms)\n",
                PluginCount, TargetMs);
    std::printf("%-52s %9s %7s  %s\n", "what", "ms", "ratio", "result");
    const double steady = reporter.ms("BM_AppSetupWithPlugins");
    if (steady < 0) {
        std::printf("%-52s %s\n", "with 20 plugins",
                    reporter.describeMissing("BM_AppSetupWithPlugins").c_str());
        return !reporter.failed("BM_AppSetupWithPlugins");
    }
    std::printf("%-52s %9.2f %7.2f  %s\n", "with 20 plugins, steady state (the figure)", steady,
                steady / TargetMs, verdict(steady <= TargetMs));
    if (g_coldMs >= 0) {
        std::printf("%-52s %9.2f %7.2f  %s (info)\n", "with 20 plugins, first in the process",
                    g_coldMs, g_coldMs / TargetMs, verdict(g_coldMs <= TargetMs));
    }
    if (const double none = reporter.ms("BM_AppSetupWithoutPlugins"); none >= 0)
        std::printf("%-52s %9.2f %7s  (info)\n", "without plugins", none, "");
    std::fflush(stdout);
    return !reporter.failed("BM_AppSetupWithoutPlugins");
}

} // namespace MortarBench

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    QCoreApplication qtApp(argc, argv); // Mortar::App needs one

    MortarBench::MeasuringReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return MortarBench::printTable(reporter) ? 0 : 1;
}
