// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The sync plugin: adds a command-line option, registers a weighted pre_close handler, and
// connects a slot to the App's preClose() signal.
#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QObject>

#include <cstdio>
#include <stdexcept>

using namespace Qt::StringLiterals;

class SyncPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "sync.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        m_server = app.config().value(u"sync/server"_s, u"localhost"_s).toString();

        // A plugin's options join the App's command line before it is parsed.
        connect(&app, &Mortar::App::preArgumentParsing, this, [&app] {
            app.commandLine().addOption(
                    {u"offline"_s, u"Pretend the sync server cannot be reached."_s});
        });

        // Weight -20: the changes go out before storage flushes its journal (-10).
        app.hooks().add(u"pre_close"_s,
                        [this, &app] {
                            if (app.commandLine().isSet(u"offline"_s)) {
                                // A failing handler is recorded (and makes the exit code 1); the
                                // other handlers still run.
                                throw std::runtime_error("cannot reach " + m_server.toStdString()
                                                         + ": 2 changes not uploaded");
                            }
                            std::printf("sync: uploaded 2 changes to %s\n", qPrintable(m_server));
                        },
                        {.weight = -20, .name = u"sync: upload changes"_s});

        // A plain Qt connection works too: it runs with the App's preClose() signal, at
        // weight 0, after every negative-weight handler.
        connect(&app, &Mortar::App::preClose, this, &SyncPlugin::closeConnection);
    }

    void unload(Mortar::App &) override { std::puts("sync: unloaded"); }

private Q_SLOTS:
    void closeConnection() { std::printf("sync: connection to %s closed\n", qPrintable(m_server)); }

private:
    QString m_server;
};

#include "sync.moc"
