// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The storage plugin: registers a weighted pre_close handler that finishes asynchronously.
#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QObject>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

class StoragePlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "storage.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        // Weight -10: after sync uploaded (-20), before the App's preClose() slots (0).
        app.hooks().add(u"pre_close"_s,
                        [](Mortar::HookContext &context) {
                            std::puts("storage: flushing the journal");
                            // Writing takes a while: the close waits for the deferral, in an event
                            // loop that keeps timers and sockets working, at most the handler's
                            // timeout.
                            QTimer::singleShot(300, [deferral = context.defer()]() mutable {
                                std::puts("storage: journal flushed");
                                deferral.complete();
                            });
                        },
                        {.weight = -10, .name = u"storage: flush journal"_s});
    }

    void unload(Mortar::App &) override { std::puts("storage: unloaded"); }
};

#include "storage.moc"
