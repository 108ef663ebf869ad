DROP TABLE planogram_templates;
