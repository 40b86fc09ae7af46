// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "testplugin.h"

using namespace Qt::StringLiterals;

class CycleXPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "cyclex.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override { recordPluginStep(app, u"test.loaded"_s, u"cyclex"_s); }
};

#include "cyclex.moc"
