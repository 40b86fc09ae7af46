// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Depends on a plugin whose load() throws: it must fail without its load() running.
#include "testplugin.h"

using namespace Qt::StringLiterals;

class NeedsThrowsPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "needsthrows.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        recordPluginStep(app, u"test.loaded"_s, u"needsthrows"_s);
    }
};

#include "needsthrows.moc"
