// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Its unload() throws: the unloading must go on, and its handlers must still go.
#include "testplugin.h"

#include <stdexcept>

using namespace Qt::StringLiterals;

class BadUnloadPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "badunload.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        app.hooks().add(u"post_close"_s, [] {}, {.name = u"badunload: report"_s});
    }
    void unload(Mortar::App &app) override
    {
        Q_UNUSED(app);
        throw std::runtime_error("the socket is already closed");
    }
};

#include "badunload.moc"
