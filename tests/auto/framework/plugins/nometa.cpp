// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Mortar's IID but no FILE: the plugin has no metadata, so it is named after its file.
#include "testplugin.h"

using namespace Qt::StringLiterals;

class NoMetaPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID)
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override { recordPluginStep(app, u"test.loaded"_s, u"nometa"_s); }
};

#include "nometa.moc"
