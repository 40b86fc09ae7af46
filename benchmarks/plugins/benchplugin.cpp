// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// One of the 20 plugins of bench_plugins: built once per plugin (benchmarks/CMakeLists.txt),
// each time with its own metadata (benchplugin.json, generated from benchplugin.json.in) and
// its own MORTAR_BENCH_PLUGIN_NAME. Like a real plugin's load(), it registers a pre_close
// handler.
#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QObject>

using namespace Qt::StringLiterals;

class BenchPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "benchplugin.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        app.hooks().add(u"pre_close"_s, [this] { ++m_closes; },
                        {.name = u"" MORTAR_BENCH_PLUGIN_NAME " cleanup"_s});
    }

private:
    int m_closes = 0;
};

#include "benchplugin.moc"
